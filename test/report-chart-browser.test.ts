// The HTML report's headline chart as a browser draws it (headless system Chromium through
// playwright-core, as serve-browser.test.ts): at a phone's, a laptop's and a wide window's width
// no two texts of the chart overlap and none is cut off by the chart's edge. Measures the real
// font's boxes, which the layout's estimate (chart-labels.ts) must stay on the safe side of.
// Skipped, saying why, where no Chromium is installed (`.ci/run` installs it).

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../src/report/html.js';
import { readResultsFile } from '../src/results/io.js';
import { findChromium, launchChromium } from './support/browser.js';

const PUBLISHED = new URL('../../reports/resnet18-2026-12-01-v3/results.json', import.meta.url).pathname;

const found = findChromium();
const skip = found.path === null ? `real-browser tests skipped: ${found.reason}` : false;
if (skip) process.stderr.write(`fatnn-bench tests: ${skip}\n`);

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

describe('the HTML report in headless Chromium', { skip }, () => {
  let browser: Browser;
  let url: string;
  before(async () => {
    const launched = await launchChromium();
    if (launched.browser === null) throw new Error(launched.reason);
    browser = launched.browser;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'fatnn-chart-')), 'results.html');
    writeFileSync(file, renderHtml(await readResultsFile(PUBLISHED)));
    url = pathToFileURL(file).href;
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [400, 1100, 1600]) {
    test(`at ${width} px no two texts of the headline chart overlap, and none leaves the chart`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(url);
        const { boxes, chart } = await page.evaluate(() => {
          const svg = document.querySelector('figure svg')!;
          const r = (e: Element) => {
            const b = e.getBoundingClientRect();
            return { text: e.textContent ?? '', left: b.left, right: b.right, top: b.top, bottom: b.bottom };
          };
          return { boxes: Array.from(svg.querySelectorAll('text'), r), chart: r(svg) };
        });
        assert.ok(boxes.some((b: Box) => b.text === 'from float') && boxes.some((b: Box) => b.text.startsWith('workers-')), boxes.map((b: Box) => b.text).join(', '));
        for (const b of boxes) assert.ok(b.left >= chart.left && b.right <= chart.right && b.bottom <= chart.bottom, `"${b.text}" leaves the chart`);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!;
            const b = boxes[j]!;
            const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            assert.ok(!overlap, `"${a.text}" [${a.left.toFixed(0)}..${a.right.toFixed(0)}] overlaps "${b.text}" [${b.left.toFixed(0)}..${b.right.toFixed(0)}]`);
          }
        }
      } finally {
        await page.close();
      }
    });
  }
});
