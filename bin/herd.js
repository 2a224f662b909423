#!/usr/bin/env node
// Herd is TypeScript run directly by Node 24 (type stripping). npm and npx put the Node 24 from Herd's own
// dependencies first on PATH; anything older gets a message instead of a syntax error.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `herd: this is Node ${process.versions.node}; Herd needs Node 24 (22.18 at the least). ` +
      "Run it through npm, which uses the Node 24 Herd installs: `npx herd …` or `npm start`.",
  );
  process.exit(78);
}
await import("../src/main.ts");
