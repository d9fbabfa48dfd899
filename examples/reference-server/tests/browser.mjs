// Shared by the browser tests: headless Debian Chromium through puppeteer-core (installed by
// scripts/setup.sh under .deps/node, the working directory), and the check that a page
// draws its Chinese with a real font.
import {createRequire} from 'node:module';

const puppeteer = createRequire(process.cwd() + '/')('puppeteer-core');

/** Headless Chromium (`CHROMIUM`, default /usr/bin/chromium). */
export function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Whether the page draws its Chinese with a real font: without one every character is
 * the same empty box, so different characters draw the same pixels. */
export function cjkDrawn(page) {
  return page.evaluate(() => {
    const draw = (ch) => {
      const c = document.createElement('canvas');
      c.width = c.height = 40;
      const x = c.getContext('2d');
      x.font = '32px ' + getComputedStyle(document.body).fontFamily;
      x.fillText(ch, 2, 34);
      return c.toDataURL();
    };
    return draw('人') !== draw('审') && draw('审') !== draw('核');
  });
}
