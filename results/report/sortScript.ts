/**
 * The report's only script, inlined: click (or Enter/Space on) a column header of a `table.sortable`
 * to sort its rows by that column, again to reverse. Cells sort by their `data-value` (numbers
 * numerically, text alphabetically); empty cells stay at the bottom both ways. The report reads fine
 * without it: the charts are finished SVG.
 */
export const SORT_SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => {
    th.tabIndex = 0;
    th.setAttribute('role', 'button');
    const sort = () => {
      const direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', direction);
      const sign = direction === 'ascending' ? 1 : -1;
      const body = table.tBodies[0];
      const key = (row) => row.cells[column].dataset.value ?? row.cells[column].textContent.trim();
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === '' || y === '') return (x === '') - (y === '');
        const nx = Number(x), ny = Number(y);
        const order = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
        return sign * order;
      });
      body.append(...rows);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        sort();
      }
    });
  });
}
`;
