// The one request layer of the mini-program. Every call to the Minyi service
// goes through a client made here, which
//   - logs the resident in with wx.login when there is no token, keeps the
//     tokens in storage and refreshes them once on a 401;
//   - retries on a lost connection or a busy service (502/503/504) with the
//     same Idempotency-Key, so a write repeated by a flaky network is applied
//     once (the key is made once per user action: see newIdempotencyKey);
//   - turns every failure into an ApiError whose message tells the resident,
//     in Chinese, what happened and what to do.
// It needs only the wx object, so the same code runs in WeChat and, with a
// small adapter, in Node (test/e2e).

const TOKENS_KEY = 'minyi.tokens'

// Messages for errors whose next step the resident must be told exactly.
const MESSAGES = {
  network: '网络连接不上。请检查手机网络（或换个信号好的地方）后点“重试”，已填写的内容不会丢失，也不会重复提交。',
  unavailable: '服务暂时不可用（可能正在维护）。请过几分钟再点“重试”；已填写的内容不会丢失。',
  rate_limited: '操作太频繁了，请休息一分钟后再试。',
  login_failed: '微信登录没有成功。请关闭小程序后重新打开；仍不行请联系社区工作人员。',
  not_household_signer: '您不是本户的指定签字人，不能代表本户表态。请由本户指定签字人（一般是房屋业主）表态，或请社区工作人员更改签字人。',
  round_past_deadline: '本轮征询已过截止时间，不能再表态或更改。如有疑问请联系社区工作人员。',
  round_not_open: '本轮征询现在没有进行（尚未开始或已经结束），不能表态。结果请看小区公示。',
  upload_quota_exceeded: '今天上传的照片已达上限。可以删除照片、只提交文字意见，或过一段时间再上传照片。',
  unknown: '出了点问题，请稍后再试；仍不行请联系社区工作人员。'
}

// ApiError is a failed call: status (0 when the network failed), the
// service's code and fields, and a message for the resident.
class ApiError extends Error {
  constructor ({ status = 0, code = '', message = '', fields = null, network = false }) {
    super(message || MESSAGES.unknown)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.network = network
  }
}

// messageFor chooses the resident's message for a failed response.
function messageFor (status, body) {
  const err = (body && body.error) || {}
  if (MESSAGES[err.code] && ['not_household_signer', 'round_past_deadline', 'round_not_open', 'upload_quota_exceeded'].includes(err.code)) {
    return MESSAGES[err.code]
  }
  if (status === 503 && !(err.code || '').startsWith('wechat_')) return MESSAGES.unavailable
  if (status === 429 && !err.message) return MESSAGES.rate_limited
  if (err.message) return err.message
  if (status >= 500) return MESSAGES.unavailable
  return MESSAGES.unknown
}

function errorFromResponse (res) {
  const body = res.data && typeof res.data === 'object' ? res.data : {}
  const err = body.error || {}
  return new ApiError({ status: res.status, code: err.code || 'http_' + res.status, message: messageFor(res.status, body), fields: err.fields || null })
}

function hex (n) {
  let s = ''
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16)
  return s
}

// newIdempotencyKey makes the key of one user action (a tap on 提交). Keep it
// while the action is retried, by the client or by the resident's 重试, and
// make a new one only for a new action.
function newIdempotencyKey () {
  return 'mp-' + Date.now().toString(36) + '-' + hex(24)
}

const retryable = status => status === 502 || status === 503 || status === 504

// createClient makes a client over a wx object (WeChat's, or an adapter).
// options: wx, baseURL, maxAttempts (3), retryDelayMs (800), sleep(ms),
// devLogin (a name: log in as "dev:<name>", for a service with MINYI_DEV_LOGIN=1).
function createClient (options) {
  const wx = options.wx
  const baseURL = String(options.baseURL || '').replace(/\/+$/, '')
  const maxAttempts = options.maxAttempts || 3
  const retryDelayMs = options.retryDelayMs === undefined ? 800 : options.retryDelayMs
  const sleep = options.sleep || (ms => new Promise(resolve => setTimeout(resolve, ms)))
  let loggingIn = null
  let refreshing = null

  const loadTokens = () => {
    try {
      return wx.getStorageSync(TOKENS_KEY) || null
    } catch (e) {
      return null
    }
  }
  const saveTokens = body => {
    wx.setStorageSync(TOKENS_KEY, { access_token: body.access_token, refresh_token: body.refresh_token })
  }
  const clearTokens = () => wx.removeStorageSync(TOKENS_KEY)

  // once sends one HTTP request and resolves with {status, data}; it rejects
  // only when no answer came (network failure).
  function once (method, path, data, header) {
    return new Promise((resolve, reject) => {
      wx.request({
        url: baseURL + path,
        method,
        data,
        header,
        dataType: 'json',
        timeout: 15000,
        success: res => resolve({ status: res.statusCode, data: res.data }),
        fail: () => reject(new ApiError({ network: true, code: 'network', message: MESSAGES.network }))
      })
    })
  }

  // send retries a lost or refused (502/503/504) request with the same
  // headers, so the same Idempotency-Key, and resolves with the last answer.
  async function send (method, path, data, header) {
    let lastError = null
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * (attempt - 1))
      try {
        const res = await once(method, path, data, header)
        if (!retryable(res.status) || attempt === maxAttempts) return res
        lastError = null
      } catch (e) {
        lastError = e
      }
    }
    throw lastError
  }

  function wxLogin () {
    if (options.devLogin) return Promise.resolve('dev:' + options.devLogin)
    return new Promise((resolve, reject) => {
      wx.login({
        success: r => (r && r.code ? resolve(r.code) : reject(new ApiError({ code: 'login_failed', message: MESSAGES.login_failed }))),
        fail: () => reject(new ApiError({ network: true, code: 'login_failed', message: MESSAGES.login_failed }))
      })
    })
  }

  // login runs wx.login and POST /auth/wechat (one at a time).
  function login () {
    if (!loggingIn) {
      loggingIn = (async () => {
        const code = await wxLogin()
        const res = await send('POST', '/api/v1/auth/wechat', { code }, jsonHeader())
        if (res.status !== 200) throw errorFromResponse(res)
        saveTokens(res.data)
        return res.data
      })().finally(() => { loggingIn = null })
    }
    return loggingIn
  }

  // refresh trades the refresh token for new tokens, or logs in again when
  // it no longer works.
  function refresh () {
    if (!refreshing) {
      refreshing = (async () => {
        const tokens = loadTokens()
        if (!tokens || !tokens.refresh_token) return login()
        const res = await send('POST', '/api/v1/auth/refresh', { refresh_token: tokens.refresh_token }, jsonHeader())
        if (res.status === 200) {
          saveTokens(res.data)
          return res.data
        }
        if (res.status === 401 || res.status === 400 || res.status === 422) {
          clearTokens()
          return login()
        }
        throw errorFromResponse(res)
      })().finally(() => { refreshing = null })
    }
    return refreshing
  }

  function jsonHeader () {
    return { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' }
  }

  function authHeader (key) {
    const header = jsonHeader()
    const tokens = loadTokens()
    if (tokens && tokens.access_token) header.Authorization = 'Bearer ' + tokens.access_token
    if (key) header['Idempotency-Key'] = key
    return header
  }

  // request calls the API and resolves with the response body (null for 204).
  // options: data, auth (default true), idempotencyKey (writes; made here
  // when absent, but pass the action's key so a resident's 重试 reuses it).
  async function request (method, path, options = {}) {
    const auth = options.auth !== false
    const key = method === 'GET' ? '' : (options.idempotencyKey || newIdempotencyKey())
    if (auth && !loadTokens()) await login()
    const header = () => (auth ? authHeader(key) : Object.assign(jsonHeader(), key ? { 'Idempotency-Key': key } : {}))
    let res = await send(method, path, options.data, header())
    if (auth && res.status === 401) {
      await refresh()
      res = await send(method, path, options.data, header())
    }
    if (res.status >= 200 && res.status < 300) return res.status === 204 ? null : res.data
    throw errorFromResponse(res)
  }

  function uploadOnce (filePath, formData) {
    return new Promise((resolve, reject) => {
      const header = authHeader('')
      delete header['Content-Type']
      wx.uploadFile({
        url: baseURL + '/api/v1/uploads',
        filePath,
        name: 'file',
        formData,
        header,
        success: res => {
          let data = res.data
          if (typeof data === 'string') {
            try { data = JSON.parse(data) } catch (e) { data = {} }
          }
          resolve({ status: res.statusCode, data })
        },
        fail: () => reject(new ApiError({ network: true, code: 'network', message: MESSAGES.network }))
      })
    })
  }

  // upload sends one photo (multipart part "file") and resolves with the
  // upload ({id, url, ...}). A retried upload may store the file twice, which
  // is harmless (only the ids the objection names are kept), so uploads carry
  // no Idempotency-Key: the multipart boundary differs between attempts and the
  // service would refuse the same key with another body.
  async function upload (filePath, estateId) {
    const formData = estateId ? { estate_id: estateId } : {}
    if (!loadTokens()) await login()
    let lastError = null
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * (attempt - 1))
      try {
        let res = await uploadOnce(filePath, formData)
        if (res.status === 401) {
          await refresh()
          res = await uploadOnce(filePath, formData)
        }
        if (res.status === 201 || res.status === 200) return res.data
        if (!retryable(res.status) || attempt === maxAttempts) throw errorFromResponse(res)
      } catch (e) {
        if (!e.network) throw e
        lastError = e
      }
    }
    throw lastError
  }

  function downloadOnce (path) {
    return new Promise((resolve, reject) => {
      const header = authHeader('')
      delete header['Content-Type']
      wx.downloadFile({
        url: baseURL + path,
        header,
        success: res => resolve({ status: res.statusCode, filePath: res.tempFilePath }),
        fail: () => reject(new ApiError({ network: true, code: 'network', message: MESSAGES.network }))
      })
    })
  }

  // download fetches a file the resident may see (GET /api/v1/uploads/{id}:
  // the photos of their own objections) into a temporary file, with the
  // access token (an <image> cannot send it), and resolves with its path.
  async function download (path) {
    if (!loadTokens()) await login()
    let lastError = null
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * (attempt - 1))
      try {
        let res = await downloadOnce(path)
        if (res.status === 401) {
          await refresh()
          res = await downloadOnce(path)
        }
        if (res.status === 200) return res.filePath
        if (!retryable(res.status) || attempt === maxAttempts) {
          throw new ApiError({ status: res.status, code: 'http_' + res.status,
            message: res.status === 404 ? '照片已不存在或不能查看。' : messageFor(res.status, {}) })
        }
      } catch (e) {
        if (!e.network) throw e
        lastError = e
      }
    }
    throw lastError
  }

  // logout ends the session on the service (POST /auth/logout revokes the
  // refresh token and with it the access tokens) and forgets the tokens; it
  // forgets them even when the service cannot be reached.
  async function logout () {
    const tokens = loadTokens()
    clearTokens()
    if (!tokens || !tokens.refresh_token) return
    try {
      await send('POST', '/api/v1/auth/logout', { refresh_token: tokens.refresh_token }, jsonHeader())
    } catch (e) {
      // offline: the tokens are gone from the phone; they expire on the service
    }
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, data, options) => request('POST', path, Object.assign({ data }, options)),
    put: (path, data, options) => request('PUT', path, Object.assign({ data }, options)),
    del: (path, options) => request('DELETE', path, options),
    upload,
    download,
    login,
    refresh,
    loggedIn: () => !!loadTokens(),
    logout
  }
}

module.exports = { createClient, ApiError, newIdempotencyKey, messageFor, MESSAGES, TOKENS_KEY }
