/** The {@code jtorch} command line: argument parsing and printing only. */
package dev.jtorch.cli;
