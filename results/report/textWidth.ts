/**
 * Text widths for laying out charts without a canvas. Vega needs a label's width to place axes, legends
 * and facet headers; without the `canvas` package it guesses 0.8 em a character, about 1.5 times too
 * wide, which truncates learner names early and leaves gaps. The charts use Helvetica, Arial or
 * Liberation Sans (the three share these advance widths), so a width table of that face is close to
 * what a browser draws.
 */

/** Advance widths of Helvetica / Arial, in thousandths of an em, for the characters ' ' (32) to '~' (126). */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];

/** Anything else (θ, ±, …, accented letters) counts as a digit's width. */
const OTHER_WIDTH = 556;

/** Bold faces run about 8% wider on average; rounding up keeps bold titles from overlapping. */
const BOLD_FACTOR = 1.1;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? ASCII_WIDTHS[code - 32] : OTHER_WIDTH;
  }
  return (units / 1000) * fontSize * (bold ? BOLD_FACTOR : 1);
}

/** The subset of a Vega text item that its width depends on. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  /** the most pixels the text may take; Vega truncates it with an ellipsis beyond this */
  limit?: number;
}

/**
 * Vega's `textMetrics.width(item, text)`. Capped at the item's limit: Vega truncates such text to fit,
 * and its truncation search compares prefixes against the limit, which the cap leaves intact.
 */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11; // Vega's default font size
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);
  const width = textWidth(text == null ? '' : String(text).trim(), size, bold);
  return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
}

/**
 * `text` broken into lines of at most `maxWidth` pixels, for facet headers that must not be wider than
 * their panel (a truncated 'ewc(lambda=1…' would hide which learner it is). Breaks after spaces,
 * commas, '(' and '=', the joints of learner labels; a longer run is cut by characters. Beyond
 * `maxLines` the last line ends in '…'.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, maxLines = 4): string[] {
  const pieces = text.match(/[^ ,(=]+[ ,(=]*|[ ,(=]+/g) ?? [''];
  const lines: string[] = [];
  let line = '';
  const fits = (s: string) => textWidth(s.trimEnd(), fontSize) <= maxWidth;
  for (const piece of pieces) {
    if (fits(line + piece)) {
      line += piece;
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = '';
    for (const ch of piece) {
      if (!fits(line + ch) && line) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
  }
  if (line.trim() || lines.length === 0) lines.push(line.trimEnd());
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1];
  while (last && !fits(`${last}…`)) last = last.slice(0, -1);
  kept[maxLines - 1] = `${last}…`;
  return kept;
}
