/**
 * The {@code baton} command-line tool ({@code cli/target/baton.jar}): {@code validate} and {@code graph} today,
 * each subcommand a class registered in {@link dev.baton.cli.BatonCli}.
 */
package dev.baton.cli;
