/** The header row of a table with one column per run mode. */
export function ModesHead() {
  return (
    <thead>
      <tr>
        <th />
        <th>in-process</th>
        <th>network</th>
      </tr>
    </thead>
  );
}
