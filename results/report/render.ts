/**
 * Vega-Lite spec → standalone SVG text, headless in Node: Vega's SVG string renderer needs no canvas
 * and no browser (text widths are estimated), so the report embeds finished drawings and opens
 * without JavaScript or a network.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { vegaTextWidth } from './textWidth.js';

// Vega supports replacing its text-width function (vl-convert does it too); its typings leave the
// `textMetrics` object out. Without this, labels are measured at 0.8 em a character.
(vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width = vegaTextWidth;

export interface RenderedChart {
  svg: string;
  /** what Vega-Lite and Vega warned about (a spec mistake); the tests require none */
  warnings: string[];
}

/** Collects warnings instead of printing them on the user's terminal in the middle of a run. */
class WarningCollector {
  readonly warnings: string[] = [];
  level(): number {
    return 2; // warnings and errors
  }
  error(...args: unknown[]): this {
    throw new Error(`chart: ${args.map(String).join(' ')}`);
  }
  warn(...args: unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<RenderedChart> {
  const logger = new WarningCollector();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  try {
    return { svg: scopeSvgIds(await view.toSVG(), idPrefix), warnings: logger.warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Prefixes every id an SVG defines (Vega's clip paths and gradients) and every reference to one, so
 * that many drawings inlined in one page can never point at each other's definitions.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return svg;
  const scoped = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${scoped(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(href=")#([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}#${scoped(id)}${b}`);
}
