// Every designer shortcut, in one list: the key handler's documentation and
// the "?" overlay are both this table, so the overlay cannot go stale.
export interface Shortcut {
  keys: string[];
  action: string;
}

export const SHORTCUTS: { group: string; items: Shortcut[] }[] = [
  {
    group: "Editing",
    items: [
      { keys: ["Delete", "Backspace"], action: "Delete the selected nodes and wires" },
      { keys: ["Ctrl+Z"], action: "Undo" },
      { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], action: "Redo" },
      { keys: ["Ctrl+C"], action: "Copy the selected nodes" },
      { keys: ["Ctrl+V"], action: "Paste" },
      { keys: ["Ctrl+D"], action: "Duplicate the selected nodes" },
      { keys: ["F2"], action: "Rename the selected node" },
    ],
  },
  {
    group: "Selection and view",
    items: [
      { keys: ["Ctrl+A"], action: "Select everything" },
      { keys: ["Shift+click", "Ctrl+click"], action: "Add to the selection" },
      { keys: ["Shift+drag"], action: "Select with a box" },
      { keys: ["Escape"], action: "Clear the selection; close a menu or dialog" },
      { keys: ["Shift+L"], action: "Auto-layout" },
      { keys: ["Shift+F"], action: "Fit the design in view" },
      { keys: ["Shift+M"], action: "Show or hide the minimap" },
    ],
  },
  {
    group: "Finding things",
    items: [
      { keys: ["/", "Ctrl+K"], action: "Search the palette (↑ ↓ to choose, Enter to add)" },
      { keys: ["Shift+F10", "ContextMenu"], action: "Menu for the selected node or wire" },
      { keys: ["Right-click"], action: "Menu for a node, a wire or the canvas" },
      { keys: ["?"], action: "This list" },
    ],
  },
];
