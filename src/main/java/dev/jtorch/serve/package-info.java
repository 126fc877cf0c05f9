/**
 * Serving a model to many threads: {@link dev.jtorch.serve.Predictor} queues single-image requests
 * from any thread and runs them in dynamic batches on one worker thread that owns the model.
 */
package dev.jtorch.serve;
