/**
 * The {@code jtorch} command line: argument parsing and printing only. The help texts (every
 * command's and option's description) are in the resource bundle
 * {@code dev/jtorch/cli/messages.properties}, which {@link dev.jtorch.cli.Main} loads.
 */
package dev.jtorch.cli;
