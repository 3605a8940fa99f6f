// A fake of the wx API for page tests: storage in memory, wx.login giving
// codes, and wx.request / wx.uploadFile answered by routes the test declares
// ({"GET /api/v1/me": handler}), each call recorded with its headers.

function createWx () {
  const storage = {}
  const calls = []
  const routes = {}
  const navigations = []
  let loginCount = 0
  const wx = {
    calls,
    navigations,
    clipboard: null,
    // route declares how the fake service answers "METHOD /path" (exact
    // path, without query). handler(call) returns {status, data} or
    // 'network' for a failed connection.
    route (key, handler) { routes[key] = handler },
    callsTo (key) { return calls.filter(c => c.method + ' ' + c.path === key) },
    getStorageSync: k => storage[k],
    setStorageSync: (k, v) => { storage[k] = JSON.parse(JSON.stringify(v)) },
    removeStorageSync: k => { delete storage[k] },
    login ({ success }) { loginCount++; setTimeout(() => success({ code: 'wxcode-' + loginCount }), 0) },
    request (opts) {
      const url = new URL(opts.url)
      const call = { method: opts.method || 'GET', path: url.pathname, query: url.search, header: Object.assign({}, opts.header), data: opts.data }
      calls.push(call)
      const handler = routes[call.method + ' ' + call.path]
      setTimeout(() => {
        const res = handler ? handler(call) : { status: 404, data: { error: { code: 'route_not_found', message: '接口不存在' } } }
        if (res === 'network') return opts.fail && opts.fail({ errMsg: 'request:fail timeout' })
        opts.success && opts.success({ statusCode: res.status, data: res.data, header: {} })
      }, 0)
    },
    uploadFile (opts) {
      const url = new URL(opts.url)
      const call = { method: 'UPLOAD', path: url.pathname, header: Object.assign({}, opts.header), filePath: opts.filePath, name: opts.name, formData: opts.formData }
      calls.push(call)
      const handler = routes['UPLOAD ' + call.path]
      setTimeout(() => {
        const res = handler ? handler(call) : { status: 404, data: '{}' }
        if (res === 'network') return opts.fail && opts.fail({ errMsg: 'uploadFile:fail' })
        opts.success && opts.success({ statusCode: res.status, data: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) })
      }, 0)
    },
    downloadFile (opts) {
      const url = new URL(opts.url)
      const call = { method: 'DOWNLOAD', path: url.pathname, header: Object.assign({}, opts.header) }
      calls.push(call)
      const handler = routes['DOWNLOAD ' + call.path]
      setTimeout(() => {
        const res = handler ? handler(call) : { status: 404 }
        if (res === 'network') return opts.fail && opts.fail({ errMsg: 'downloadFile:fail' })
        opts.success && opts.success({ statusCode: res.status, tempFilePath: res.status === 200 ? 'wxfile://tmp/' + call.path.split('/').pop() : '' })
      }, 0)
    },
    chooseMedia (opts) { wx.chosenCount = opts.count; opts.success({ tempFiles: (wx.mediaToChoose || []).slice(0, opts.count).map(p => ({ tempFilePath: p })) }) },
    setClipboardData (opts) { wx.clipboard = opts.data; opts.success && opts.success() },
    requestSubscribeMessage (opts) { wx.subscribeRequest = opts.tmplIds; opts.success(wx.subscribeAnswer || {}) },
    navigateTo (o) { navigations.push(['navigateTo', o.url]) },
    redirectTo (o) { navigations.push(['redirectTo', o.url]) },
    reLaunch (o) { navigations.push(['reLaunch', o.url]) },
    navigateBack () { navigations.push(['navigateBack']) },
    showModal (o) { wx.modals = (wx.modals || []).concat([o.content]); o.success({ confirm: wx.modalAnswer !== false, cancel: wx.modalAnswer === false }) },
    stopPullDownRefresh () {},
    showToast () {}
  }
  return wx
}

// installWx puts a fresh fake in global.wx and returns it.
function installWx () {
  global.wx = createWx()
  return global.wx
}

const ok = data => ({ status: 200, data })
const fail = (status, code, message) => ({ status, data: { error: { code, message: message || code } } })

// loggedIn stores tokens, as after a login.
function loggedIn (wx) {
  wx.setStorageSync('minyi.tokens', { access_token: 'access-1', refresh_token: 'refresh-1' })
}

module.exports = { createWx, installWx, ok, fail, loggedIn }
