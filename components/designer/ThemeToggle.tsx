"use client";
// Light and dark themes: the system's choice by default (prefers-color-scheme),
// or the user's, remembered in this browser. The attribute is set before
// paint by THEME_SCRIPT in the root layout, so there is no flash.
import { useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "trellis-theme";
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = { system: "◐ System theme", light: "☀ Light theme", dark: "☾ Dark theme" };

export const THEME_SCRIPT = `try{var t=localStorage.getItem("${KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

function apply(choice: ThemeChoice) {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* storage blocked: the choice lasts for this page */
  }
}

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>("system");
  useEffect(() => {
    const t = document.documentElement.dataset.theme;
    if (t === "light" || t === "dark") setChoice(t);
  }, []);
  return (
    <button
      type="button"
      className="icon theme-toggle"
      data-testid="theme-toggle"
      data-theme-choice={choice}
      title={`${LABEL[choice]} — click for ${LABEL[NEXT[choice]].slice(2).toLowerCase()}`}
      aria-label={`Theme: ${choice}. Switch to ${NEXT[choice]}`}
      onClick={() => {
        const next = NEXT[choice];
        apply(next);
        setChoice(next);
      }}
    >
      {LABEL[choice].slice(0, 1)}
    </button>
  );
}
