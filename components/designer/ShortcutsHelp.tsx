"use client";
import { Modal } from "./Modal";
import { SHORTCUTS } from "./shortcuts";

/** The "?" overlay: every shortcut the designer knows. */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="shortcuts-help">
      <div className="shortcut-groups">
        {SHORTCUTS.map((g) => (
          <section key={g.group}>
            <h3>{g.group}</h3>
            <table className="kv shortcut-table">
              <tbody>
                {g.items.map((s) => (
                  <tr key={s.action} data-testid="shortcut-row">
                    <th>
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && " or "}
                          <kbd>{k}</kbd>
                        </span>
                      ))}
                    </th>
                    <td>{s.action}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <p className="muted">On a Mac, Ctrl is ⌘. Shortcuts do not act while you type in a field.</p>
    </Modal>
  );
}
