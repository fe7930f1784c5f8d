// Fill a PDF form with pdf.js (Firefox's engine) as a person would, and save it.
//
//   node fill.mjs IN.pdf OUT.pdf VALUES.json
//
// VALUES.json maps field names to a string (text fields, a choice's export value) or a
// boolean (checkboxes). pdf.js draws the new appearance streams itself on saveDocument().
import { readFileSync, writeFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const [src, dst, valuesPath] = process.argv.slice(2);
if (!valuesPath) {
  console.error("usage: node fill.mjs IN.pdf OUT.pdf VALUES.json");
  process.exit(2);
}
const values = JSON.parse(readFileSync(valuesPath, "utf8"));
const doc = await getDocument({ data: new Uint8Array(readFileSync(src)), verbosity: 0 }).promise;
const fields = (await doc.getFieldObjects()) ?? {};
for (const [name, value] of Object.entries(values)) {
  const widgets = fields[name];
  if (!widgets) {
    console.error(`no field named ${name}`);
    process.exit(1);
  }
  for (const widget of widgets) {
    doc.annotationStorage.setValue(widget.id, { value });
  }
}
writeFileSync(dst, await doc.saveDocument());
await doc.destroy();
