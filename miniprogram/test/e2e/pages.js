// Pages rendered with miniprogram-simulate against the real service: every
// page is compiled from the mini-program's root in one go (the official WXML
// compiler mixes up pages compiled from separate roots in one process), and
// the shared API client is made over the wx the test installed.
const path = require('path')
const simulate = require('miniprogram-simulate')

const root = path.join(__dirname, '..', '..')
const loaded = {}

// usePage installs wx as the global wx, points the shared client at base and
// renders pages/<name>/<name>.
function usePage (wx, base, name) {
  global.wx = wx
  require('../../lib/client.js').reset({ baseURL: base, retryDelayMs: 10 })
  if (!loaded[name]) loaded[name] = simulate.load(path.join(root, 'pages', name, name), 'page-' + name, { rootPath: root })
  const page = simulate.render(loaded[name])
  page.attach(document.createElement('parent-wrapper'))
  return page
}

// until waits (at most 30 s) for predicate() to hold while the page's
// requests travel to the service and back.
async function until (predicate, what) {
  const end = Date.now() + 30000
  while (Date.now() < end) {
    if (predicate()) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error('never happened: ' + (what || predicate.toString()))
}

// tapOn taps the n-th element matching selector whose text contains label
// (any element when label is empty) and lets its handler start.
async function tapOn (page, selector, label, n = 0) {
  const all = page.querySelectorAll(selector).filter(el => !label || el.dom.textContent.includes(label))
  const el = all[n]
  if (!el) throw new Error('nothing matches ' + selector + (label ? ' with ' + label : '') + ' #' + n + ' in: ' + page.dom.textContent)
  el.dispatchEvent('tap')
  await simulate.sleep(0)
}

// typeInto types value into the n-th element matching selector (an input or
// textarea with bindinput).
async function typeInto (page, selector, value, n = 0) {
  const el = page.querySelectorAll(selector)[n]
  if (!el) throw new Error('nothing matches ' + selector + ' #' + n)
  el.dispatchEvent('input', { detail: { value } })
  await simulate.sleep(0)
}

// shown is the page's visible text.
const shown = page => page.dom.textContent

module.exports = { usePage, until, tapOn, typeInto, shown }
