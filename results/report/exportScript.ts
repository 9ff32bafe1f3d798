/**
 * Saving one figure: every figure of the report has "SVG" and "PNG" links. The drawing in the page is the
 * SVG that Vega's view API wrote when the report was made (`view.toSVG()`, results/report/render.ts); the
 * SVG link saves it as a file, the PNG link draws it on a canvas at twice its size on white (what Vega's
 * `view.toImageURL('png', 2)` does in a browser, without shipping Vega in every report) and saves that.
 * Files are named `<scenario>-<chart>.svg|png`.
 */
export const EXPORT_SCRIPT = `
const saveAs = (url, name) => {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
};
for (const link of document.querySelectorAll('a[data-export]')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    const svg = link.closest('figure').querySelector('svg');
    const text = new XMLSerializer().serializeToString(svg);
    const svgUrl = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const name = link.dataset.name;
    if (link.dataset.export === 'svg') return saveAs(svgUrl, name + '.svg');
    const width = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
    const height = Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height;
    const image = new Image();
    image.onload = () => {
      const scale = 2;
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const context = canvas.getContext('2d');
      context.fillStyle = 'white';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.scale(scale, scale);
      context.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(svgUrl);
      canvas.toBlob((blob) => saveAs(URL.createObjectURL(blob), name + '.png'), 'image/png');
    };
    image.src = svgUrl;
  });
}
`;

/** The file name (without extension) a figure saves as: scenario and chart, only safe characters. */
export function exportName(scenario: string, chart: string): string {
  return `${scenario}-${chart}`.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 120);
}
