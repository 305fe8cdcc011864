/**
 * Split migration SQL into single statements. Both engines run one statement per call
 * (the extended query protocol), so a file's `;`-separated statements are sent one by
 * one. Semicolons inside quotes, dollar-quoted bodies and comments do not split.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      i = endOfLineComment(text, i);
    } else if (ch === '/' && next === '*') {
      i = endOfBlockComment(text, i);
    } else if (ch === "'" || ch === '"') {
      i = endOfQuoted(text, i, ch, isEscapeString(text, i));
    } else if (ch === '$') {
      i = endOfDollarQuoted(text, i);
    } else if (ch === ';') {
      pushStatement(statements, text.slice(start, i));
      i += 1;
      start = i;
    } else {
      i += 1;
    }
  }
  pushStatement(statements, text.slice(start));
  return statements;
}

/** Keep a piece only when it holds more than whitespace and comments. */
function pushStatement(statements: string[], piece: string): void {
  const trimmed = piece.trim();
  if (trimmed !== '' && hasCode(trimmed)) statements.push(trimmed);
}

function hasCode(piece: string): boolean {
  let i = 0;
  while (i < piece.length) {
    const ch = piece[i];
    if (ch === '-' && piece[i + 1] === '-') i = endOfLineComment(piece, i);
    else if (ch === '/' && piece[i + 1] === '*') i = endOfBlockComment(piece, i);
    else if (ch !== undefined && /\s/.test(ch)) i += 1;
    else return true;
  }
  return false;
}

function endOfLineComment(text: string, i: number): number {
  const newline = text.indexOf('\n', i);
  return newline === -1 ? text.length : newline + 1;
}

/** Block comments nest in PostgreSQL. */
function endOfBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth += 1;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else {
      j += 1;
    }
  }
  return text.length;
}

/** `E'…'` strings take backslash escapes; standard strings only double the quote. */
function isEscapeString(text: string, i: number): boolean {
  const before = text[i - 1];
  return text[i] === "'" && (before === 'E' || before === 'e') && !/\w/.test(text[i - 2] ?? '');
}

function endOfQuoted(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const ch = text[j];
    if (backslashEscapes && ch === '\\') {
      j += 2;
    } else if (ch === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return text.length;
}

/** `$tag$ … $tag$` (tag may be empty); a `$` that opens no such quote (`$1`) is plain text. */
function endOfDollarQuoted(text: string, i: number): number {
  const opening = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
  opening.lastIndex = i;
  const match = opening.exec(text);
  if (!match || /[A-Za-z0-9_]/.test(text[i - 1] ?? '')) return i + 1;
  const tag = match[0];
  const close = text.indexOf(tag, i + tag.length);
  return close === -1 ? text.length : close + tag.length;
}
