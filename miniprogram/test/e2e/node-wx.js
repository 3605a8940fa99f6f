// A small wx for Node: wx.request (with its timeout) and wx.uploadFile over Node's fetch,
// storage in memory, and wx.login asking the fake WeChat server (its control
// port) for a fresh one-time code, as WeChat gives the mini-program. A test
// may make the next answers of a route get "lost" (the request reaches the
// service, the phone never sees the answer) to test retries. For pages
// rendered against the real service, chooseMedia gives the files a test puts
// in mediaToChoose, and navigation and dialogs are recorded.
const fs = require('fs')
const os = require('os')
const path = require('path')

function createNodeWx ({ loginCodeURL }) {
  const storage = {}
  const lose = {} // "METHOD /path" → answers still to lose
  const sent = []
  const navigations = []
  const tempDirs = []
  const wx = {
    // cleanup removes the files downloadFile saved.
    cleanup () { for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true }) },
    sent,
    navigations,
    mediaToChoose: [],
    // loseAnswers makes the next n answers to method+path fail as a lost connection.
    loseAnswers (method, pathname, n) { lose[method + ' ' + pathname] = n },
    getStorageSync: k => storage[k],
    setStorageSync: (k, v) => { storage[k] = JSON.parse(JSON.stringify(v)) },
    removeStorageSync: k => { delete storage[k] },
    login ({ success, fail }) {
      fetch(loginCodeURL, { method: 'POST', signal: AbortSignal.timeout(30000) })
        .then(r => r.json())
        .then(body => success({ code: body.code, errMsg: 'login:ok' }))
        .catch(err => fail({ errMsg: 'login:fail ' + err.message }))
    },
    request ({ url, method = 'GET', data, header = {}, timeout = 60000, success, fail }) {
      const u = new URL(url)
      let body
      if (data !== undefined && method !== 'GET') body = JSON.stringify(data)
      if (data !== undefined && method === 'GET') for (const [k, v] of Object.entries(data)) u.searchParams.set(k, v)
      const entry = { method, path: u.pathname, header: Object.assign({}, header), data }
      sent.push(entry)
      fetch(u, { method, headers: header, body, signal: AbortSignal.timeout(timeout) })
        .then(async res => {
          const text = await res.text()
          let parsed = text
          try { parsed = text ? JSON.parse(text) : '' } catch (e) {}
          // what the service answered (even when the answer is then "lost")
          entry.status = res.status
          entry.code = parsed && parsed.error ? parsed.error.code : ''
          const key = method + ' ' + u.pathname
          if (lose[key] > 0) {
            lose[key]--
            return fail({ errMsg: 'request:fail timeout' })
          }
          success({ statusCode: res.status, data: parsed, header: Object.fromEntries(res.headers) })
        })
        .catch(err => fail({ errMsg: 'request:fail ' + err.message }))
    },
    // downloadFile saves the answer's body to a temporary file, as WeChat does.
    downloadFile ({ url, header = {}, success, fail }) {
      sent.push({ method: 'DOWNLOAD', path: new URL(url).pathname, header: Object.assign({}, header) })
      fetch(url, { headers: header, signal: AbortSignal.timeout(60000) })
        .then(async res => {
          const body = Buffer.from(await res.arrayBuffer())
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minyi-mp-dl-'))
          tempDirs.push(dir)
          const file = path.join(dir, 'file')
          fs.writeFileSync(file, body)
          success({ statusCode: res.status, tempFilePath: file })
        })
        .catch(err => fail({ errMsg: 'downloadFile:fail ' + err.message }))
    },
    uploadFile ({ url, filePath, name, formData = {}, header = {}, success, fail }) {
      const form = new FormData()
      for (const [k, v] of Object.entries(formData)) form.append(k, v)
      form.append(name, new Blob([fs.readFileSync(filePath)]), path.basename(filePath))
      sent.push({ method: 'UPLOAD', path: new URL(url).pathname, header: Object.assign({}, header) })
      fetch(url, { method: 'POST', headers: header, body: form, signal: AbortSignal.timeout(60000) })
        .then(async res => success({ statusCode: res.status, data: await res.text() }))
        .catch(err => fail({ errMsg: 'uploadFile:fail ' + err.message }))
    },
    chooseMedia ({ count, success }) { success({ tempFiles: wx.mediaToChoose.slice(0, count).map(p => ({ tempFilePath: p })) }) },
    setClipboardData ({ success }) { if (success) success() },
    requestSubscribeMessage ({ success }) { success({}) },
    navigateTo ({ url }) { navigations.push(['navigateTo', url]) },
    redirectTo ({ url }) { navigations.push(['redirectTo', url]) },
    reLaunch ({ url }) { navigations.push(['reLaunch', url]) },
    navigateBack () { navigations.push(['navigateBack']) },
    showModal ({ success }) { success({ confirm: true, cancel: false }) },
    showToast () {},
    stopPullDownRefresh () {}
  }
  return wx
}

module.exports = { createNodeWx }
