/** A setting that cannot work (unreachable backend, unwritable directory): the CLI prints it and exits 78. */
export class StartupError extends Error {
  override name = "StartupError";
}
