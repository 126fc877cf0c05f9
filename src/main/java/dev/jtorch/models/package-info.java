/**
 * The image classifiers jtorch trains from the command line: the tutorial's
 * {@link dev.jtorch.models.SimpleNN} ({@code mlp}), a small CNN ({@code cnn}) and a CIFAR-10 CNN
 * ({@code cifar-cnn}), with PyTorch's layer names so their state dicts load in Python.
 */
package dev.jtorch.models;
