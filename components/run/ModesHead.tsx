/** The header row of a table with one column per run mode; `inProcess` names what the in-process column measured. */
export function ModesHead({ inProcess = "in-process" }: { inProcess?: string }) {
  return (
    <thead>
      <tr>
        <th />
        <th data-testid="modes-head-in">{inProcess}</th>
        <th>network</th>
      </tr>
    </thead>
  );
}
