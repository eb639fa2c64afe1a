export function fitToWidth(line: string, _columns: number | undefined): string {
  return line;
}
