// Builds and starts the real service (`minyi serve`, SQLite in a temp dir or
// a fresh MariaDB/MySQL database) and the fake WeChat server
// (wechat/wechattest/cmd/fakewechat) for the end-to-end tests, and stops them
// afterwards.
const { spawn, execFileSync } = require('child_process')
const crypto = require('crypto')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const readline = require('readline')

const repoRoot = path.resolve(__dirname, '..', '..', '..')
const goBinary = process.env.GO || 'go'

function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

// build uses the flags of .ci/run's build step (-trimpath, no cgo), so the
// packages it compiled are reused from the build cache.
function build (dir) {
  const env = Object.assign({}, process.env, { CGO_ENABLED: '0' })
  execFileSync(goBinary, ['build', '-trimpath', '-o', path.join(dir, 'minyi'), '.'], { cwd: repoRoot, env, stdio: 'inherit' })
  execFileSync(goBinary, ['build', '-trimpath', '-o', path.join(dir, 'fakewechat'), './wechat/wechattest/cmd/fakewechat'], { cwd: repoRoot, env, stdio: 'inherit' })
}

// binaries builds both programs once per test process (jest --runInBand runs
// every e2e file and database in one process) and returns their directory.
// It is named after the process (its pid and start time); a later run removes
// the directories of processes that are gone.
const BIN_PREFIX = 'minyi-mp-e2e-bin-'
function binaries () {
  const started = Math.round(Date.now() / 1000 - process.uptime())
  const dir = path.join(os.tmpdir(), BIN_PREFIX + process.pid + '-' + started)
  if (fs.existsSync(path.join(dir, 'built'))) return dir
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number((name.startsWith(BIN_PREFIX) ? name.slice(BIN_PREFIX.length) : '').split('-')[0])
    if (pid > 0 && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true })
  }
  fs.mkdirSync(dir, { recursive: true })
  build(dir)
  fs.writeFileSync(path.join(dir, 'built'), '')
  return dir
}

function alive (pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

function startFakeWeChat (dir) {
  const child = spawn(path.join(dir, 'fakewechat'), [], { stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout })
    lines.once('line', line => resolve({ child, info: JSON.parse(line) }))
    child.once('exit', code => reject(new Error('fakewechat exited with ' + code)))
  })
}

async function waitReady (base, child, logs) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('minyi exited with ' + child.exitCode + ':\n' + logs.join(''))
    try {
      const res = await fetch(base + '/readyz', { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch (e) {}
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('minyi did not become ready:\n' + logs.join(''))
}

// databases lists the databases the e2e runs on: SQLite always, and MySQL
// (MariaDB) when MINYI_TEST_MYSQL_URL is set, as the Go tests do.
function databases () {
  const list = [{ name: 'SQLite' }]
  if (process.env.MINYI_TEST_MYSQL_URL) list.push({ name: 'MySQL', mysqlURL: process.env.MINYI_TEST_MYSQL_URL })
  return list
}

// mysqlClient runs one statement with the mysql (or mariadb) command-line
// client against the server of a mysql:// URL.
function mysqlClient (mysqlURL, statement) {
  const u = new URL(mysqlURL)
  const args = ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username || 'root'), '-e', statement]
  const env = Object.assign({}, process.env, { MYSQL_PWD: decodeURIComponent(u.password || '') })
  for (const program of ['mysql', 'mariadb']) {
    try {
      execFileSync(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
      return
    } catch (e) {
      if (e.code !== 'ENOENT') throw new Error(program + ' ' + statement + ': ' + String(e.stderr || e.message))
    }
  }
  throw new Error('MINYI_TEST_MYSQL_URL is set but neither mysql nor mariadb (the command-line client) is on PATH')
}

// freshMySQL creates an empty database on the server of mysqlURL and returns
// its URL and a function dropping it.
function freshMySQL (mysqlURL) {
  const name = 'mp_e2e_' + Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36)
  mysqlClient(mysqlURL, 'CREATE DATABASE ' + name + ' CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')
  const u = new URL(mysqlURL)
  u.pathname = '/' + name
  u.search = ''
  return { url: u.toString(), drop: () => mysqlClient(mysqlURL, 'DROP DATABASE IF EXISTS ' + name) }
}

// start builds both programs and runs them, on SQLite or, with
// {mysqlURL}, on a fresh database of that MySQL server; it resolves with
// {base, admin: {username, password}, database, loginCodeURL(openid), phoneCodeURL(phone), stop()}.
async function start ({ mysqlURL } = {}) {
  const bin = binaries()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minyi-mp-e2e-'))
  const mysql = mysqlURL ? freshMySQL(mysqlURL) : null
  const fake = await startFakeWeChat(bin)
  const port = await freePort()
  const base = 'http://127.0.0.1:' + port
  const admin = { username: 'e2e-admin', password: 'e2e-admin-password-1' }
  const env = Object.assign({}, process.env, {
    MINYI_ADDR: '127.0.0.1:' + port,
    MINYI_DATABASE_URL: mysql ? mysql.url : 'sqlite:' + path.join(dir, 'minyi.db'),
    MINYI_DATA_DIR: path.join(dir, 'data'),
    MINYI_PUBLIC_BASE_URL: base,
    MINYI_ADMIN_USERNAME: admin.username,
    MINYI_ADMIN_PASSWORD: admin.password,
    MINYI_JWT_SECRET: 'e2e-jwt-secret-0123456789abcdef0123456789',
    // Phone numbers are sealed at rest (required with MySQL).
    MINYI_DATA_KEY: crypto.randomBytes(32).toString('hex'),
    MINYI_WECHAT_APPID: fake.info.appid,
    MINYI_WECHAT_SECRET: fake.info.secret,
    MINYI_WECHAT_API_BASE: fake.info.api,
    MINYI_LOG_FORMAT: 'text'
  })
  const logs = []
  const child = spawn(path.join(bin, 'minyi'), ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', d => logs.push(String(d)))
  child.stderr.on('data', d => logs.push(String(d)))
  try {
    await waitReady(base, child, logs)
  } catch (e) {
    child.kill()
    fake.child.stdin.end()
    if (mysql) mysql.drop()
    fs.rmSync(dir, { recursive: true, force: true })
    throw e
  }
  return {
    base,
    admin,
    database: mysql ? 'MySQL' : 'SQLite',
    logs,
    loginCodeURL: openid => fake.info.control + '/login-code?openid=' + encodeURIComponent(openid),
    phoneCodeURL: phone => fake.info.control + '/phone-code?phone=' + encodeURIComponent(phone),
    // stop ends both programs and resolves with whether the service stopped
    // by itself within 10 s of SIGTERM (else it is killed).
    async stop () {
      let timer
      const exited = new Promise(resolve => child.once('exit', () => resolve(true)))
      child.kill('SIGTERM')
      fake.child.stdin.end()
      const graceful = await Promise.race([exited, new Promise(resolve => { timer = setTimeout(() => resolve(false), 10000) })])
      clearTimeout(timer)
      if (!graceful) {
        child.kill('SIGKILL')
        await exited
      }
      fake.child.kill()
      fs.rmSync(dir, { recursive: true, force: true })
      if (mysql) mysql.drop()
      return graceful
    }
  }
}

module.exports = { start, databases }
