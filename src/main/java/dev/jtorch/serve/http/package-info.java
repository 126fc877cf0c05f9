/**
 * {@code jtorch serve}: an HTTP front end for a {@link dev.jtorch.serve.Predictor} on the JDK's own
 * {@code com.sun.net.httpserver} (no extra dependency): {@code POST /predict}, {@code GET /health}
 * and {@code GET /metrics} in the Prometheus text format.
 */
package dev.jtorch.serve.http;
