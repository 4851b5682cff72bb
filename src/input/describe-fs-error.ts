/** A file-system error in the words of a one-line message: `no such file`, `permission denied`, … */
export function describeFsError(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
