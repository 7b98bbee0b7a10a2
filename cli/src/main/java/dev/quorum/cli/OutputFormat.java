package dev.quorum.cli;

/** How commands print their results; the lowercase names are what users type. */
enum OutputFormat {
  text,
  json
}
