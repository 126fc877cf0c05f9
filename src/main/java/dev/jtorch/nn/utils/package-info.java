/** Training utilities over a module's parameters, as {@code torch.nn.utils}: gradient clipping. */
package dev.jtorch.nn.utils;
