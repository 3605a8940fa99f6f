// The one file a street office edits before uploading the mini-program:
// its AppID, the address of the Minyi service and the subscribe-message
// template ids it was granted (see README.md).
module.exports = {
  // AppID of the mini-program registered at mp.weixin.qq.com.
  appId: 'wx0000000000000000',
  // Base URL of the Minyi service, without a trailing slash. It must be one
  // of the request and uploadFile legal domains (https) set in the console.
  apiBaseURL: 'https://minyi.example.gov.cn',
  // Estate whose notice board opens when the mini-program is started without
  // a code (the demo estate of `minyi serve --demo`).
  defaultEstateCode: 'demo',
  // Development only: with the service started with MINYI_DEV_LOGIN=1, a
  // name here logs in as "dev:<name>" instead of asking WeChat (wx.login), so
  // the mini-program runs in DevTools without a registered AppID. Keep it ''
  // in every uploaded version.
  devLogin: '',
  // Subscribe-message template ids, one per kind the service sends.
  templates: {
    round_opened: 'TEMPLATE_ID_ROUND_OPENED',
    objection_answered: 'TEMPLATE_ID_OBJECTION_ANSWERED',
    result_published: 'TEMPLATE_ID_RESULT_PUBLISHED',
    deadline_reminder: 'TEMPLATE_ID_DEADLINE_REMINDER'
  }
}
