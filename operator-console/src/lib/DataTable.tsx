import type { ComponentChildren } from 'preact';

interface DataTableProps {
  /** Read out by screen readers; the visible heading is the panel's. */
  caption: string;
  /** Column headings, in order. */
  columns: readonly string[];
  /** Extra class for the table, beside `data-table`. */
  class?: string;
  /** The rows. */
  children: ComponentChildren;
}

/** A list as a horizontally scrollable table: caption for screen readers, one heading row. */
export function DataTable({ caption, columns, class: extra, children }: DataTableProps) {
  return (
    <div class="table-scroll">
      <table class={extra ? `data-table ${extra}` : 'data-table'}>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
