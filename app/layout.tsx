import type { Metadata } from "next";
import "@xyflow/react/dist/style.css";
import "./globals.css";
import { THEME_SCRIPT } from "@/components/designer/ThemeToggle";

export const metadata: Metadata = {
  title: "Trellis",
  description: "Visual designer for WebAssembly clouds",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the chosen theme before the first paint. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
