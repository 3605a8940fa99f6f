package console

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/service"
	"minyi/service/fieldtext"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

func staticFS() http.FileSystem {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	return http.FS(sub)
}

// pageSet holds one template per page, each parsed together with the layout.
type pageSet map[string]*template.Template

var templateFuncs = template.FuncMap{
	"decisionLabel": decisionLabel,
	"stateLabel":    stateLabel,
	"roleLabel":     roleLabel,
	"statusLabel":   statusLabel,
	"area":          formatArea,
	"visitLabel":    service.VisitOutcomeLabel,
	"beijing":       beijingTime,
	"outcomeLabel":  outcomeLabel,
	"list":          func(items ...string) []string { return items },
	"rosterField":   service.RosterFieldLabel,
	"objStatus":     objectionStatusLabel,
	"category":      service.CategoryLabel,
	"dateValue":     dateValue,
	"surveyStatus":  surveyStatusLabel,
	"purposeLabel":  purposeLabel,
	"signRole":      service.SignatureRoleLabel,
	"deref":         func(b *bool) bool { return b != nil && *b },
	"inc":           func(i int) int { return i + 1 },
}

func mustParsePages() pageSet {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	base := template.Must(template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html"))
	set := pageSet{}
	for _, name := range names {
		short := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if short == "layout" || strings.HasPrefix(short, "_") {
			continue
		}
		set[short] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, name))
	}
	return set
}

// page is what every page template receives.
type page struct {
	Title  string
	Actor  service.Actor
	CSRF   string
	Notice string
	Error  string
	Fields []fieldProblem
	// NoPublicBaseURL shows the banner that QR codes would point to localhost.
	NoPublicBaseURL bool
	// Print pages drop the navigation.
	Print bool
	Data  any
}

// fieldProblem is one form field's problem, in words.
type fieldProblem struct{ Field, Reason string }

// render writes a page with the layout.
func (c *Console) render(g *gin.Context, status int, name string, p page) {
	t, ok := c.pages[name]
	if !ok {
		panic("console: no template " + name)
	}
	if h, ok := g.Get(handleKey); ok {
		p.CSRF = c.csrfToken(h.(string))
		p.Actor = actorOf(g)
		p.NoPublicBaseURL = localBaseURL(c.cfg.PublicBaseURL) && p.Actor.Role == service.RoleAdmin
	}
	if p.Notice == "" {
		p.Notice = doneMessages[g.Query("done")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		c.cfg.Logger.Error("console template", "page", name, "error", err)
		g.String(http.StatusInternalServerError, "页面出错")
		return
	}
	g.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// localBaseURL tells whether public links would point to this machine only.
func localBaseURL(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return true
	}
	host := u.Hostname()
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1" || host == "0.0.0.0"
}

// doneMessages are the confirmations shown after a redirect (?done=...).
var doneMessages = map[string]string{
	"estate_created": "小区已创建。", "estate_saved": "小区信息已保存。", "staff_assigned": "已分配。",
	"staff_removed": "已取消分配。", "user_created": "账号已创建。", "user_saved": "账号已更新。",
	"round_created": "征询轮次已创建。", "round_opened": "征询已开始。", "round_closed": "征询已结束。",
	"decision_recorded": "表态已记录。", "visit_recorded": "走访已记录。", "logged_out": "已退出登录。",
	"objection_answered": "答复已保存。", "revision_published": "方案修订已发布。",
	"objection_assigned": "处理人和期限已保存。",
	"survey_created":     "问卷已创建（草稿）。", "survey_opened": "问卷已开始收集。", "survey_closed": "问卷已结束。",
	"survey_response_recorded": "纸质问卷已录入。",
	"stage_saved":              "阶段已更新。", "precondition_saved": "前置条件已更新。", "site_saved": "施工信息已保存。",
	"acceptance_recorded": "验收记录已保存。", "item_rectified": "整改已记录。",
	"report_assigned": "问题已指派。", "report_fixed": "整改已记录，等待居民确认。",
}

// errorPage shows a message on an error page.
func (c *Console) errorPage(g *gin.Context, status int, message string) {
	c.render(g, status, "error", page{Title: "出错了", Error: message})
}

func (c *Console) notFound(g *gin.Context) {
	c.errorPage(g, http.StatusNotFound, "找不到这个页面，或您无权查看。")
}

// failPage shows a service error as a page.
func (c *Console) failPage(g *gin.Context, err error) {
	status, message, _ := c.explain(g, err)
	c.errorPage(g, status, message)
}

// explain turns a service error into a status, a Chinese message and the
// field problems. Internal errors are logged and shown generically.
func (c *Console) explain(g *gin.Context, err error) (int, string, []fieldProblem) {
	se := service.AsError(err)
	if se.Kind == service.KindInternal {
		c.cfg.Logger.ErrorContext(g.Request.Context(), "console internal error", "path", g.Request.URL.Path, "error", err)
		return http.StatusInternalServerError, "服务器出错，请稍后再试。", nil
	}
	status := map[service.Kind]int{service.KindInvalid: http.StatusUnprocessableEntity, service.KindUnauthenticated: http.StatusUnauthorized,
		service.KindForbidden: http.StatusForbidden, service.KindNotFound: http.StatusNotFound, service.KindConflict: http.StatusConflict,
		service.KindRateLimited: http.StatusTooManyRequests, service.KindUnavailable: http.StatusServiceUnavailable}[se.Kind]
	message, ok := codeMessages[se.Code]
	if !ok {
		message = "操作未完成（" + se.Code + "）。"
	}
	var fields []fieldProblem
	for f, reason := range se.Fields {
		label := fieldLabel(f)
		if zh, ok := fieldtext.Chinese(reason); ok {
			reason = zh
		}
		fields = append(fields, fieldProblem{Field: label, Reason: reason})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return status, message, fields
}

// codeMessages say the service's error codes in Chinese.
var codeMessages = map[string]string{
	"invalid_credentials":       "用户名或密码不正确。",
	"too_many_login_attempts":   "登录失败次数过多，请稍后再试。",
	"validation_failed":         "填写的内容有误，请按提示修改。",
	"forbidden":                 "您的角色不能进行此操作。",
	"estate_not_found":          "找不到该小区，或您未被分配到该小区。",
	"round_not_found":           "找不到该征询轮次。",
	"household_not_found":       "找不到该户。",
	"user_not_found":            "找不到该账号。",
	"duplicate_username":        "用户名已被使用。",
	"duplicate_code":            "小区编码已被使用。",
	"round_not_open":            "该征询轮次未在进行中。",
	"round_not_draft":           "只有草稿状态的轮次可以开始。",
	"household_not_in_round":    "该户不在本轮征询范围内。",
	"empty_electorate":          "名册为空，无法开始征询。",
	"session_expired":           "登录已过期，请重新登录。",
	"objection_not_found":       "找不到该意见。",
	"objections_unanswered":     "此前轮次仍有居民意见未答复，请先答复后再开始本轮方案征询。",
	"force_admin_only":          "只有管理员可以在意见未答复时强制开始。",
	"objection_closed":          "该意见已关闭，不能再答复。",
	"survey_not_found":          "找不到该问卷。",
	"survey_not_draft":          "只有草稿状态的问卷可以开始。",
	"survey_not_open":           "该问卷未在收集中。",
	"stage_not_found":           "没有这个阶段。",
	"stage_transition_invalid":  "阶段只能向前推进（未开始 → 进行中 → 已完成）。",
	"precondition_not_found":    "没有这个前置条件。",
	"acceptance_not_found":      "找不到该验收记录。",
	"acceptance_item_not_found": "找不到该验收项。",
	"item_not_rectifiable":      "该项验收已合格，无需整改。",
	"item_already_rectified":    "该项已记录整改。",
	"report_not_found":          "找不到该问题。",
	"report_transition_invalid": "该问题当前状态不能进行此操作（请刷新后再试）。",
	"revision_not_found":        "找不到该方案修订。",
	"file_too_large":            "文件过大（最多 10 MB）。",
	"unsupported_file_type":     "只能上传 JPEG、PNG、WebP 照片或 PDF 图纸。",
	"upload_not_found":          "找不到该文件，或您无权查看。",
	"picture_too_large":         "图片像素过多，请缩小后再上传。",
	"pdf_metadata_unremovable":  "无法去除该 PDF 中的作者等信息，请另存为普通 PDF 后再上传。",
	"upload_quota_exceeded":     "今日上传文件已达上限，请稍后再试。",
	"preconditions_unmet":       "施工前置条件尚未满足。",
}

// fieldLabels name form fields in Chinese.
var fieldLabels = map[string]string{
	"username": "用户名", "password": "密码", "display_name": "姓名", "role": "角色", "name": "小区名称", "code": "小区编码",
	"district": "区", "street": "街道", "community": "社区", "address": "地址", "contact_phone": "联系电话", "built_year": "建成年份",
	"title": "标题", "kind": "类型", "rule": "表决规则", "rule.preset": "表决规则", "closes_at": "截止时间",
	"decision": "表态", "explanation": "说明", "summary": "摘要", "changes": "修改内容", "addresses": "回应的意见", "attachments": "附件", "file": "文件", "evidence_url": "照片", "channel": "方式", "signer_name": "签字人", "outcome": "走访结果", "note": "备注", "disabled": "停用", "handler_id": "处理人", "household_id": "住户", "purpose": "用途", "template": "模板", "questions": "题目", "budget_fen": "预算", "builder": "施工单位", "supervising_unit": "监理单位", "designer_unit": "设计单位", "starts_on": "开工日期", "items": "验收项", "signatures": "签字", "photo_upload_ids": "照片", "assignee_id": "处理人", "status": "状态", "ends_on": "竣工日期", "started_at": "开始时间", "finished_at": "完成时间", "due_at": "处理期限",
	"evidence_upload_ids": "证明材料",
}

// rowField is a field of one row of a list in a form ("items[0].note").
var rowField = regexp.MustCompile(`^(items|signatures)\[(\d+)\]\.(\w+)$`)

// rowLabels name the lists whose rows have fields.
var rowLabels = map[string]string{"items": "验收项", "signatures": "签字"}

// rowFieldLabels name the fields of a list's rows where they differ from fieldLabels.
var rowFieldLabels = map[string]string{"name": "名称", "result": "结果", "note": "说明", "role": "身份"}

// fieldLabel names a form field in Chinese: "items[1].note" is "验收项 2 的说明".
func fieldLabel(f string) string {
	if label := fieldLabels[f]; label != "" {
		return label
	}
	if m := rowField.FindStringSubmatch(f); m != nil {
		n, _ := strconv.Atoi(m[2])
		name := rowFieldLabels[m[3]]
		if name == "" {
			name = fieldLabel(m[3])
		}
		return rowLabels[m[1]] + " " + strconv.Itoa(n+1) + " 的" + name
	}
	return f
}

// errorJSON is the contract's error envelope, for the console's JSON endpoints.
func errorJSON(code, message string, fields map[string]string) gin.H {
	body := gin.H{"code": code, "message": message}
	if len(fields) > 0 {
		body["fields"] = fields
	}
	return gin.H{"error": body}
}

// isCode tells whether err is a service error with this code.
func isCode(err error, code string) bool {
	var se *service.Error
	return errors.As(err, &se) && se.Code == code
}
