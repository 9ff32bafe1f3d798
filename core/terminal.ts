/**
 * Text from a suite or a plugin (labels, scenario and run names, learner errors) shown on a terminal. A
 * label may hold anything JSON can: an escape sequence in it would recolour, move the cursor, retitle the
 * window or hide the lines around it, and a bare carriage return overwrites what the line said. Shown
 * text therefore keeps no escape sequence and no control character: sequences are dropped, other control
 * characters (C0, DEL, C1, and the bidirectional overrides that reorder what is read) become '?', so the
 * reader sees that something was there. Files keep the text as written (records, CSV, JSON events).
 */

/** ESC-introduced sequences: CSI (ESC [ … final), OSC/DCS/SOS/PM/APC (… BEL or ESC \), and two-byte ESC x. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_]?)|\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u009d\u0098\u009e\u009f][^\u0007\u001b\u009c]*[\u0007\u009c]?/g;
/** Control characters (C0 but tab, DEL, C1) and the Unicode bidirectional controls. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` safe to print on a terminal: escape sequences removed, control characters shown as '?', tabs as a space. */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '?').replace(/\t/g, ' ');
}
