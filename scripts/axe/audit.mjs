// Accessibility audit: axe-core (WCAG 2.1 A/AA and best practices) in headless Chromium, on each HTML file
// given, at 1280 px and 400 px wide, and the layout of its tables. One JSON line per file and width. CHROMIUM: the browser (default /usr/bin/chromium).
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--headless=new"],
});
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage();
    for (const width of [1280, 400]) {
      await page.setViewport({ width, height: 900 });
      await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
      await page.evaluate(axeSource);
      const res = await page.evaluate(async () => await axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
      const v = res.violations.map(x => ({ id: x.id, impact: x.impact, nodes: x.nodes.length,
        help: x.help, target: x.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
      // layout: tables wider than their box (they scroll), and whether their label column stays in view
      const tables = await page.evaluate(() => [...document.querySelectorAll(".ev-table-wrap")].map(w => {
        const block = w.closest(".ev-table-block");
        const cap = block ? block.querySelector(".ev-caption") : null;
        const first = w.querySelector("tbody td");
        return { caption: cap ? cap.textContent.slice(0, 80) : "", scroll: w.scrollWidth, client: w.clientWidth,
                 frozen: first ? getComputedStyle(first).position === "sticky" : false,
                 noteInside: w.querySelector(".ev-table-note, .ev-caption") !== null };
      }));
      // figures: which image is shown (the phone variant or the wide one), at what scale, and the body text's size
      const figures = await page.evaluate(() => [...document.querySelectorAll("figure.ev-figure")].map(f => {
        const img = [...f.querySelectorAll("img")].find(i => getComputedStyle(i).display !== "none");
        return { alt: img ? img.alt.slice(0, 60) : "", narrow: img ? img.classList.contains("ev-narrow") : false,
                 shown: img ? img.getBoundingClientRect().width : 0, natural: img ? img.naturalWidth : 0 };
      }));
      const bodyFont = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
      const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      console.log(JSON.stringify({ file, width, pageWidth, bodyFont, violations: v, tables, figures }));
    }
    await page.close();
  }
} finally {
  await browser.close();
}
