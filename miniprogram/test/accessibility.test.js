// For elderly residents: type that follows the system font size, contrast
// that meets WCAG AA, nothing only reachable by a gesture, Chinese titles.
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const pages = require('../app.json').pages
const read = f => fs.readFileSync(path.join(root, f), 'utf8')

// luminance and contrast as WCAG 2.1 defines them.
function luminance (hex) {
  const v = hex.replace('#', '')
  const full = v.length === 3 ? v.split('').map(c => c + c).join('') : v
  const [r, g, b] = [0, 2, 4].map(i => parseInt(full.slice(i, i + 2), 16) / 255)
    .map(c => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
function contrast (a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

function rules (css) {
  const out = []
  const re = /([^{}]+)\{([^}]*)\}/g
  let m
  while ((m = re.exec(css.replace(/\/\*[\s\S]*?\*\//g, '')))) {
    const decls = {}
    for (const d of m[2].split(';')) {
      const i = d.indexOf(':')
      if (i > 0) decls[d.slice(0, i).trim()] = d.slice(i + 1).trim()
    }
    out.push({ selector: m[1].trim(), decls })
  }
  return out
}

test('the contrast checker agrees with known WCAG values', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
  expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2) // the classic just-failing grey
})

test('every text colour meets WCAG AA (4.5:1) on its background', () => {
  const styles = [read('app.wxss')].concat(pages.map(p => read(p + '.wxss')))
  let checked = 0
  for (const css of styles) {
    for (const r of rules(css)) {
      const color = r.decls.color
      if (!color) continue
      const background = r.decls.background || r.decls['background-color'] || '#ffffff'
      expect({ rule: r.selector, ratio: contrast(color, background) >= 4.5 }).toEqual({ rule: r.selector, ratio: true })
      checked++
    }
  }
  expect(checked).toBeGreaterThan(5)
})

test('every page follows the system font size and sizes type in rem', () => {
  for (const p of pages) {
    expect(read(p + '.wxml').trimStart().startsWith('<page-meta root-font-size="system">')).toBe(true)
  }
  for (const css of [read('app.wxss')].concat(pages.map(p => read(p + '.wxss')))) {
    for (const r of rules(css)) {
      if (r.decls['font-size']) expect({ rule: r.selector, size: r.decls['font-size'] }).toEqual({ rule: r.selector, size: expect.stringMatching(/rem$/) })
    }
  }
})

test('no action hides behind a gesture', () => {
  for (const p of pages) {
    const wxml = read(p + '.wxml')
    expect({ page: p, gestures: wxml.match(/(bind|catch):?(longpress|longtap|touchstart|touchmove|touchend)|<swiper|<movable/g) }).toEqual({ page: p, gestures: null })
  }
})

test('every page has its Chinese title and files', () => {
  for (const p of pages) {
    for (const ext of ['.js', '.json', '.wxml', '.wxss']) expect(fs.existsSync(path.join(root, p + ext))).toBe(true)
    expect(JSON.parse(read(p + '.json')).navigationBarTitleText).toMatch(/^[\u4e00-\u9fa5]+$/)
  }
})

// A 375 px wide phone with the largest system font: nothing may be wider than
// the screen. Sizes are relative (rem, %), px only for borders, and long
// words (receipts, codes, addresses) wrap instead of running off the page.
test('every page fits a 375 px screen at any font size', () => {
  for (const css of [read('app.wxss')].concat(pages.map(p => read(p + '.wxss')))) {
    for (const r of rules(css)) {
      for (const [prop, value] of Object.entries(r.decls)) {
        if (/^border/.test(prop)) continue
        expect({ rule: r.selector, prop, px: /\d(px|rpx)\b/.test(value) }).toEqual({ rule: r.selector, prop, px: false })
      }
      for (const prop of ['width', 'min-width']) {
        if (r.decls[prop] && r.decls[prop] !== '100%') expect({ rule: r.selector, [prop]: r.decls[prop] }).toEqual({ rule: r.selector, [prop]: expect.stringMatching(/^[0-9.]+rem$/) })
      }
    }
  }
  const app = rules(read('app.wxss'))
  expect(app.find(r => r.selector === '.page').decls['overflow-wrap']).toBe('break-word')
  expect(app.find(r => r.selector === '.receipt').decls['word-break']).toBe('break-all')
  for (const p of pages) expect({ page: p, inlineStyle: /style="[^"]*(width|px)/.test(read(p + '.wxml')) }).toEqual({ page: p, inlineStyle: false })
})
