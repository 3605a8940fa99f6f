// Rendering pages with miniprogram-simulate (pages are built with the
// Component constructor, so the official test tool loads them as they are).
const path = require('path')
const simulate = require('miniprogram-simulate')

// renderPage loads pages/<name>/<name>, attaches it and returns it.
// Jest keeps required modules, so a page's Component() runs once per test
// file: its id is kept and rendered again for every test. The official WXML
// compiler confuses two pages compiled in one process, so each test file
// renders one page.
const loaded = {}
function renderPage (name) {
  require('../lib/client.js').reset({ retryDelayMs: 0 })
  if (!loaded[name]) loaded[name] = simulate.load(path.join(__dirname, '..', 'pages', name, name), 'page-' + name)
  const comp = simulate.render(loaded[name])
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

// waitFor lets the fake's answers arrive until predicate() holds.
async function waitFor (predicate, what) {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return
    await simulate.sleep(0)
  }
  throw new Error('never happened: ' + (what || predicate.toString()))
}

// tap taps the n-th element matching selector; the handler runs
// asynchronously, as in WeChat, so await it.
async function tap (comp, selector, n = 0) {
  const el = comp.querySelectorAll(selector)[n]
  if (!el) throw new Error('nothing matches ' + selector + ' #' + n)
  el.dispatchEvent('tap')
  await simulate.sleep(0)
}

// text is the page's visible text.
const text = comp => comp.dom.textContent

module.exports = { renderPage, waitFor, tap, text, simulate }
