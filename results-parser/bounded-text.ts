/** Collects text up to a bound, remembering how much was dropped. */
export class BoundedText {
  private parts: string[] = [];
  private length = 0;
  dropped = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  append(s: string): void {
    const room = this.limit - this.length;
    if (room <= 0) {
      this.dropped += s.length;
      return;
    }
    const part = s.length <= room ? s : s.slice(0, room);
    this.parts.push(part);
    this.length += part.length;
    this.dropped += s.length - part.length;
  }

  toString(): string {
    const text = this.parts.join("");
    return this.dropped ? `${text}… [${this.dropped} more characters not kept]` : text;
  }
}

export function truncate(s: string, limit: number): string {
  return s.length <= limit ? s : `${s.slice(0, limit)}… [${s.length - limit} more characters not kept]`;
}
