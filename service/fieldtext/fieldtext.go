// Package fieldtext gives the per-field reasons of the service's errors
// (written in English where they arise) their Chinese texts. People read
// Chinese by default, English on request; the API and the staff console both
// show reasons through it, so the catalogue is kept in one place.
// api's TestEveryFieldReasonHasChinese and TestFieldReasonLiteralsHaveChinese
// keep it whole.
package fieldtext

import (
	"regexp"
	"strings"
)

// fieldReasonsZH are the fixed reasons, by their English text.
var fieldReasonsZH = map[string]string{
	// Decoding (api/bind.go, api/types.go) and query parameters.
	"unknown field":             "不认识的字段",
	"must be a lower-case UUID": "应为小写的 UUID 编号",
	"must be an integer":        "应为整数",
	"must be true or false":     "应为 true 或 false",
	"must be between 1 and 500": "应在 1 到 500 之间",
	"must be an RFC 3339 time":  "应为 RFC 3339 格式的时间",
	"must be an RFC 3339 time such as 2026-12-01T18:00:00+08:00": "应为 RFC 3339 格式的时间，例如 2026-12-01T18:00:00+08:00",
	"must be a number of m² with at most 2 decimals":             "应为面积数字（平方米），最多两位小数",
	"is not a cursor this server issued":                         "不是本服务给出的翻页标记",
	"must be json, csv or xlsx":                                  "应为 json、csv 或 xlsx",
	"must be xlsx or csv":                                        "应为 xlsx 或 csv",

	// Who may sign, proxies, subscriptions, the outbox, result objections.
	"is required: the kinds accepted (at most 20)":                              "必须填写：同意接收的提醒种类（最多 20 项）",
	"must be pending, sent or failed":                                           "应为 pending、sent 或 failed",
	"is required for a proxy sign-off":                                          "代签时必须填写",
	"is required for a proxy sign-off (the upload of the authorisation letter)": "代签时必须上传委托书",
	"no such upload of the authorisation letter by staff of this estate":        "没有本小区工作人员上传的这份委托书",
	"must be owner, co_owner, tenant or family":                                 "应为 owner（业主）、co_owner（共有人）、tenant（租户）或 family（家庭成员）",
	"is required when staff object for a household":                             "工作人员代为提出异议时必须指明房屋",
	"you act for several households of this round; name one":                    "您绑定了本轮的多户房屋，请指明是哪一户",
	"must be upheld or rejected":                                                "应为 upheld（成立）或 rejected（不成立）",

	// Rules, deadlines, round settings, answers, uploads.
	"is required: 1 to 200 characters summing the objection up for the notice board, in your words": "必须填写：用您自己的话为公示栏概括这条意见（1 到 200 个字）",
	"at most 500 characters":                     "最多 500 个字",
	"closing before the deadline needs a reason": "在截止时间之前结束征询，须写明理由",
	"must be eligible or all":                    "应为 eligible（符合条件的户）或 all（全部户）",
	"must be 0 to 72":                            "应为 0 到 72",
	"must be 0 to 30":                            "应为 0 到 30",
	"a custom rule needs at least one check with of agree; participation alone cannot pass a plan":  "自定义规则至少要有一项 of 为 agree 的同意比例检查；仅凭参与率不能通过方案",
	"of is required: participated or agree":                                                         "必须填写 of：participated（参与）或 agree（同意）",
	"the PDF keeps its author and title where they cannot be removed; save it again as a plain PDF": "这个 PDF 的作者和标题信息无法去除；请另存为普通 PDF 后再上传",

	// Common.
	"is required":                      "必须填写",
	"at most 100 characters":           "最多 100 个字",
	"at most 2000 characters":          "最多 2000 个字",
	"at most 32 characters":            "最多 32 个字",
	"1 to 100 characters":              "须为 1 到 100 个字",
	"1 to 200 characters":              "须为 1 到 200 个字",
	"1 to 2000 characters":             "须为 1 到 2000 个字",
	"1 to 32 characters":               "须为 1 到 32 个字",
	"1 to 64 characters":               "须为 1 到 64 个字符",
	"too long":                         "太长",
	"at most 128 characters":           "最多 128 个字符",
	"was used for a different request": "已用于另一个不同的请求",

	// Accounts.
	"3 to 64 letters, digits, '_', '.' or '-'":           "须为 3 到 64 个字母、数字、“_”、“.”或“-”",
	"must be at least 8 characters and at most 72 bytes": "密码至少 8 个字符，且不超过 72 字节（一个汉字占 3 字节，最多 24 个汉字）",
	"must be admin, worker or designer":                  "只能是 admin（管理员）、worker（工作人员）或 designer（设计师）",
	"an admin cannot disable their own account":          "管理员不能停用自己的账号",
	"must be worker or designer":                         "只能是 worker（工作人员）或 designer（设计师）",

	// Estates and households.
	"3 to 32 characters of a-z, 0-9 and '-'":            "须为 3 到 32 个小写字母、数字或“-”",
	"must be a year between 1900 and 2100":              "应为 1900 到 2100 之间的年份",
	"must be more than 0 and at most 100000":            "应大于 0 且不超过 100000",
	"digits, spaces, '+' and '-', at most 32":           "只能包含数字、空格、“+”和“-”，最多 32 个字符",
	"must be owner, rented or vacant":                   "只能是 owner（自住）、rented（出租）或 vacant（空置）",
	"must be an integer from 1 to 1000":                 "应为 1 到 1000 之间的整数",
	"is required (at most 256 characters)":              "必须填写（最多 256 个字符）",
	"dev:<openid> with 1 to 40 letters, digits, _ or -": "应为 dev:<openid>，openid 为 1 到 40 个字母、数字、“_”或“-”",

	// Rounds and rules.
	"must be willingness or plan":                 "只能是 willingness（意愿征询）或 plan（方案征询）",
	"is required when scope.unit is given":        "填写了单元时必须填写楼栋",
	"building and unit are at most 32 characters": "楼栋和单元各最多 32 个字",
	"must be in the future":                       "应为将来的时间",
	"a custom rule needs at least one check":      "自定义规则至少需要一项检查",
	"measure must be households or area":          "measure 只能是 households（户数）或 area（面积）",
	"base must be electorate or participants":     "base 只能是 electorate（全体）或 participants（参与者）",
	"of must be participated or agree":            "of 只能是 participated（参与）或 agree（同意）",
	"participated measured against participants is always 100%; use of agree or base electorate": "以参与者为基数计算参与率永远是 100%；请用 of agree 或 base electorate",
	"name must be at most 64 characters":                  "名称最多 64 个字符",
	"name may use only letters, digits, '_', '-' and '.'": "名称只能包含字母、数字、“_”、“-”和“.”",
	"at most four decimal places are allowed":             "最多四位小数",
	"must be at most 1 (100%)":                            "不能超过 1（100%）",
	"the denominator must not be 0":                       "分母不能为 0",

	// Sign-offs, visits and sync.
	"must be agree, disagree or abstain":                              "只能是 agree（同意）、disagree（不同意）或 abstain（弃权）",
	"must be paper, door or proxy":                                    "只能是 paper（纸质）、door（上门）或 proxy（代签）",
	"an http(s) URL or an upload path, at most 500 characters":        "应为 http(s) 网址或上传文件路径，最多 500 个字符",
	"must be consulted, not_home, refused or unreachable":             "只能是 consulted（已征询）、not_home（不在家）、refused（拒绝）或 unreachable（无法联系）",
	"1 to 1000 records":                                               "须为 1 到 1000 条记录",
	"must be a UUID":                                                  "应为 UUID 编号",
	"is required: an RFC 3339 time such as 2026-12-01T18:00:00+08:00": "必须填写：RFC 3339 格式的时间，例如 2026-12-01T18:00:00+08:00",
	"is in the future: check the phone's clock":                       "时间在将来：请检查手机的时钟",
	"is before the round opened":                                      "时间早于本轮征询开始",
	"must be signoff, withdraw or visit":                              "只能是 signoff（签署）、withdraw（撤回）或 visit（走访）",
	"you act for several households in this estate; name one":         "你在本小区代表多户住户，请指明是哪一户",

	// Objections, answers, revisions, moderation.
	"must be one of elevator, parking, greening, drainage, pipes, facade, safety, accessibility, cost, construction, management, other": "只能是 elevator（电梯）、parking（停车）、greening（绿化）、drainage（排水）、pipes（管线）、facade（外立面）、safety（安全）、accessibility（无障碍）、cost（费用）、construction（施工）、management（管理）或 other（其他）",
	"at most 9 photos":                                                  "最多 9 张照片",
	"a photo is listed twice":                                           "同一张照片列了两次",
	"is required: the household you speak for":                          "必须填写：你所代表的住户",
	"no such round in this estate":                                      "本小区没有这一轮征询",
	"not a household of this estate that you may speak for":             "不是你可以代表的本小区住户",
	"must be open, answered or closed":                                  "只能是 open（待答复）、answered（已答复）或 closed（已关闭）",
	"not a known category":                                              "不是已知的类别",
	"is required unless the objection is adopted: say why":              "除非采纳该意见，否则必须说明理由",
	"must be adopted, partially_adopted or not_adopted":                 "只能是 adopted（采纳）、partially_adopted（部分采纳）或 not_adopted（不采纳）",
	"1 to 2000 characters; required when the resident is not satisfied": "须为 1 到 2000 个字；居民不满意时必须填写",
	"at most 20000 characters":                                          "最多 20000 个字",
	"at most 500 objections":                                            "最多 500 条意见",
	"an objection is listed twice":                                      "同一条意见列了两次",
	"at most 20 attachments":                                            "最多 20 个附件",
	"an attachment is listed twice":                                     "同一个附件列了两次",
	"no such revision in this estate":                                   "本小区没有这个方案版本",
	"must be held, published or rejected":                               "只能是 held（待审核）、published（已发布）或 rejected（已驳回）",
	"must be publish or reject":                                         "只能是 publish（发布）或 reject（驳回）",
	"the text was rejected by the content check":                        "内容未通过安全检查",

	// The public summary of an answer (issue 11).

	// The dispute table and supervisors (issue 15).
	"must be admin, worker, designer or supervisor":       "只能是 admin（管理员）、worker（工作人员）、designer（设计师）或 supervisor（监督员）",
	"must be worker, designer or supervisor":              "只能是 worker（工作人员）、designer（设计师）或 supervisor（监督员）",
	"give handler_id, due_at or both":                     "请填写 handler_id（经办人）或 due_at（办结期限），或两者都填",
	"not an admin or a worker or designer of this estate": "不是管理员，也不是本小区的工作人员或设计师",
	"must be after the objection was filed":               "应晚于意见提交的时间",

	// Residents.
	"is required (8 characters)":                "必须填写（8 个字符）",
	"no such binding code":                      "绑定码不正确",
	"the code was already used":                 "该绑定码已被使用",
	"the code has expired":                      "该绑定码已过期",
	"invalid or used; ask WeChat for a new one": "无效或已使用，请重新获取",
	"WeChat returned no usable phone number":    "微信没有返回可用的手机号",

	// Surveys (问需, 问效).
	"1 to 50 questions":                                   "须有 1 到 50 道题",
	"1 to 32 characters of a-z, 0-9, '_' and '-'":         "须为 1 到 32 个小写字母、数字、“_”或“-”",
	"only single and multiple questions have options":     "只有单选题和多选题有选项",
	"must be single, multiple, rating or text":            "只能是 single（单选）、multiple（多选）、rating（评分）或 text（文字）",
	"2 to 20 options":                                     "须有 2 到 20 个选项",
	"repeats another option":                              "与另一个选项重复",
	"more answers than questions":                         "答案比题目还多",
	"no such question in this survey":                     "本问卷没有这道题",
	"answers the same question twice":                     "同一道题回答了两次",
	"answer a single-choice question with choice only":    "单选题只用 choice 作答",
	"answer a multiple-choice question with choices only": "多选题只用 choices 作答",
	"answer a rating question with rating only":           "评分题只用 rating 作答",
	"answer a text question with text only":               "文字题只用 text 作答",
	"must be one of the question's options":               "应为该题的选项之一",
	"must be options of the question":                     "应为该题的选项",
	"names an option twice":                               "同一个选项选了两次",
	"leave questions out when using a template":           "使用模板时请不要填写 questions",
	"the template is a satisfaction survey":               "该模板是满意度测评（satisfaction）",
	"must be xuchang-satisfaction":                        "只能是 xuchang-satisfaction（许昌满意度测评表）",
	"must be needs, satisfaction or other":                "只能是 needs（问需）、satisfaction（问效）或 other（其他）",
	"must match the household in the path":                "应与路径中的住户一致",
	"must be json or xlsx":                                "应为 json 或 xlsx",
	// Stages, preconditions and site information (api/lifecycle*.go).
	"must be pending, in_progress or done":           "只能是 pending（未开始）、in_progress（进行中）或 done（已完成）",
	"must not be in the future":                      "不能晚于现在",
	"give the reason for forcing the start":          "强制开工须填写说明（note）",
	"a pending stage has no dates":                   "未开始的阶段不能填写日期",
	"only a done stage has a finishing date":         "只有已完成的阶段才有完成日期",
	"must not be before started_at":                  "不能早于开始时间（started_at）",
	"at most 20 files":                               "最多 20 个文件",
	"a file is listed twice":                         "同一个文件列了两次",
	"must be a date such as 2027-03-01":              "应为日期，例如 2027-03-01",
	"must not be before starts_on":                   "不能早于开工日期（starts_on）",
	"must be from 0 to 1000000000000 fen":            "应在 0 到 1000000000000 分之间",
	"1 to 500 characters":                            "须为 1 到 500 个字",
	"1 to 100 items":                                 "须为 1 到 100 项",
	"must be pass or rectify":                        "只能是 pass（通过）或 rectify（整改）",
	"say what must be rectified":                     "请在 note 中写明需要整改的内容",
	"1 to 30 signatures":                             "须有 1 到 30 个签字",
	"1 to 1000 characters":                           "须为 1 到 1000 个字",
	"must be assigned or fixed":                      "只能是 assigned（已派单）或 fixed（已处理）",
	"a photo of the fix is required":                 "登记已处理须附处理后的照片",
	"photos belong to the fix":                       "照片只在登记已处理时提交",
	"no worker of this estate has this id":           "本小区没有这个编号的工作人员",
	"say what is still wrong":                        "不满意时请在 note 中写明仍存在的问题",
	"must be reported, assigned, fixed or confirmed": "只能是 reported、assigned、fixed 或 confirmed",
	"must be owner_representative, supervisor, builder, designer or street_office": "只能是 owner_representative（业主代表）、supervisor（监督员）、builder（施工单位）、designer（设计单位）或 street_office（街道办事处）",

	// Files.
	"is empty":          "文件是空的",
	"could not be read": "文件无法读取",
	"at most 10 MiB":    "最大 10 MiB",
	"must be a JPEG, PNG or WebP photo or a PDF drawing":            "应为 JPEG、PNG 或 WebP 照片，或 PDF 图纸",
	"send multipart/form-data with the file in the part named file": "请以 multipart/form-data 上传，文件放在名为 file 的部分",
	`send the file as multipart/form-data in the field "file"`:      "请以 multipart/form-data 上传，文件放在名为 file 的字段",
	"the file is empty": "文件是空的",
	"the old .xls format is not supported: save the file as .xlsx or .csv":              "不支持旧的 .xls 格式：请另存为 .xlsx 或 .csv",
	"the file is not a valid .xlsx workbook":                                            "文件不是有效的 .xlsx 工作簿",
	"must be an .xlsx or .csv file":                                                     "应为 .xlsx 或 .csv 文件",
	"the workbook has no visible worksheet":                                             "工作簿中没有可见的工作表",
	"the text encoding cannot be read: save the file as UTF-8 or GBK":                   "无法识别文字编码：请另存为 UTF-8 或 GBK",
	"no household rows under the header row":                                            "表头下面没有住户行",
	"no header row with 楼栋 (building), 房号 (room) and 面积 (area_m2) in the first 10 rows": "前 10 行中没有包含“楼栋”“房号”“面积”的表头行",
}

// reasonPattern is a reason with values in it: the English form as a
// regular expression and the Chinese form with ${1}, ${2} for its groups.
type reasonPattern struct {
	english *regexp.Regexp
	chinese string
}

// fieldReasonPatternsZH are the reasons with values, tried in order.
var fieldReasonPatternsZH = []reasonPattern{
	{regexp.MustCompile(`^must be of type (string|\*string|\[\]string)$`), "应为文本"},
	{regexp.MustCompile(`^must be of type (bool|\*bool)$`), "应为 true 或 false"},
	{regexp.MustCompile(`^must be of type \*?u?int(8|16|32|64)?$`), "应为整数"},
	{regexp.MustCompile(`^must be of type \*?float(32|64)$|^must be of type json\.Number$`), "应为数字"},
	{regexp.MustCompile(`^must be of type \[\].*$`), "应为数组（列表）"},
	{regexp.MustCompile(`^must be of type .*$`), "类型不对"},
	{regexp.MustCompile(`^must be an integer from (\d+) to (\d+)$`), "应为 ${1} 到 ${2} 之间的整数"},
	{regexp.MustCompile(`^(\d+) to (\d+) households$`), "须为 ${1} 到 ${2} 户"},
	{regexp.MustCompile(`^repeats items\[(\d+)\]$`), "与第 ${1} 项（items[${1}]）重复"},
	{regexp.MustCompile(`^repeats questions\[(\d+)\]$`), "与题目 questions[${1}] 重复"},
	{regexp.MustCompile(`^the account's role is (\w+)$`), "该账号的角色是 ${1}"},
	{regexp.MustCompile(`^no such unattached upload of yours: (.+)$`), "没有这个由你上传、尚未使用的文件：${1}"},
	{regexp.MustCompile(`^photos must be JPEG, PNG or WebP images: (.+)$`), "照片应为 JPEG、PNG 或 WebP 图片：${1}"},
	{regexp.MustCompile(`^already attached elsewhere: (.+)$`), "已用在别处：${1}"},
	{regexp.MustCompile(`^is not a valid (\w+) file$`), "不是有效的 ${1} 文件"},
	{regexp.MustCompile(`^no such objection in this estate: (.+)$`), "本小区没有这些意见：${1}"},
	{regexp.MustCompile(`^a custom rule may have at most (\d+) checks$`), "自定义规则最多 ${1} 项检查"},
	{regexp.MustCompile(`^duplicate check name (".*"); give each check its own name$`), "检查名称 ${1} 重复；每项检查须有自己的名称"},
	{regexp.MustCompile(`^unknown preset (".*"); use two-80, civil-code-major, civil-code-ordinary or custom$`), "未知的规则 ${1}；请用 two-80、civil-code-major、civil-code-ordinary 或 custom"},
	{regexp.MustCompile(`^preset ([\w-]+) has fixed checks; leave checks out or use preset custom$`), "规则 ${1} 的检查是固定的；请不要填写 checks，或改用 custom"},
	{regexp.MustCompile(`^ratio (".*") must look like 80%, 66\.67% or 2/3$`), "比例 ${1} 应写成 80%、66.67% 或 2/3 的形式"},
	{regexp.MustCompile(`^ratio (".*") must look like 80% or 2/3 \(write two thirds as 2/3\)$`), "比例 ${1} 应写成 80% 或 2/3 的形式（三分之二请写作 2/3）"},
	{regexp.MustCompile(`^at most (\d+) megapixels$`), "最多 ${1} 百万像素"},
	{regexp.MustCompile(`^each kind must be one of (.+)$`), "每一项须为以下之一：${1}"},
	{regexp.MustCompile(`^ratio (".*") must be greater than 0$`), "比例 ${1} 应大于 0"},
	{regexp.MustCompile(`^ratio (".*") must be at most 1 \(100%\)$`), "比例 ${1} 不能超过 1（100%）"},
	{regexp.MustCompile(`^the denominator must be at most (\d+)$`), "分母不能超过 ${1}"},
	{regexp.MustCompile(`^at most (\d+) rows per file$`), "每个文件最多 ${1} 行"},
	{regexp.MustCompile(`^row (\d+) has a column twice: (.+)$`), "第 ${1} 行有重复的列：${2}"},
	{regexp.MustCompile(`^the worksheet (.+) cannot be read$`), "无法读取工作表 ${1}"},
	{regexp.MustCompile(`^the CSV cannot be read: (.+)$`), "无法读取 CSV 文件：${1}"},
}

// HanPattern finds a Chinese character; EnglishWordPattern an English word.
var (
	HanPattern         = regexp.MustCompile(`\p{Han}`)
	EnglishWordPattern = regexp.MustCompile(`[A-Za-z]{3,}`)
)

// Chinese is the Chinese text of an English field reason, and
// whether there is one. A reason that is Chinese already is kept. A reason
// "prefix: reason" (the ratio errors, a worksheet's name before a problem)
// is translated in its part after the prefix when the whole has no text.
func Chinese(en string) (string, bool) {
	if zh, ok := fieldReasonsZH[en]; ok {
		return zh, true
	}
	for _, p := range fieldReasonPatternsZH {
		if p.english.MatchString(en) {
			return p.english.ReplaceAllString(en, p.chinese), true
		}
	}
	if prefix, rest, ok := strings.Cut(en, ": "); ok {
		if zh, ok := Chinese(rest); ok {
			if quoted, ok := strings.CutPrefix(prefix, "ratio "); ok {
				prefix = "比例 " + quoted
			}
			return prefix + "：" + zh, true
		}
	}
	if HanPattern.MatchString(en) && !EnglishWordPattern.MatchString(en) {
		return en, true
	}
	return "", false
}
