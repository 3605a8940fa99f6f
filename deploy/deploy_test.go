// Package deploy holds the deployment files (Docker Compose, Kubernetes,
// MySQL settings). Its tests keep them parseable and keep the container image
// built exactly as CI builds and tests the binary.
package deploy

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// buildLine is the build command shared by ../Dockerfile and ../.ci/run.
const buildLine = `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o`

// yamlFiles returns every *.yml and *.yaml file under this directory.
func yamlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yml", ".yaml":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking deploy/: %v", err)
	}
	return files
}

// decodeAll parses every document of a (possibly multi-document) YAML file.
func decodeAll(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		if doc != nil { // an empty document between two "---"
			docs = append(docs, doc)
		}
	}
}

func TestYAMLFilesParse(t *testing.T) {
	files := yamlFiles(t)
	if len(files) == 0 {
		t.Fatal("no YAML files found under deploy/")
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := decodeAll(data)
			if err != nil {
				t.Fatalf("%s does not parse: %v", f, err)
			}
			if len(docs) == 0 {
				t.Fatalf("%s holds no YAML document", f)
			}
		})
	}
}

func TestKubernetesManifests(t *testing.T) {
	kinds := map[string]int{}
	files, err := filepath.Glob(filepath.Join("k8s", "*.y*ml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := decodeAll(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, doc := range docs {
			kind, _ := doc["kind"].(string)
			api, _ := doc["apiVersion"].(string)
			meta, _ := doc["metadata"].(map[string]any)
			name, _ := meta["name"].(string)
			if kind == "" || api == "" || name == "" {
				t.Errorf("%s document %d: missing kind, apiVersion or metadata.name", f, i+1)
				continue
			}
			if _, ok := meta["namespace"]; ok {
				t.Errorf("%s: %s/%s sets a namespace; the manifests are namespace-less", f, kind, name)
			}
			kinds[kind]++
			switch kind {
			case "Deployment":
				checkDeployment(t, f, doc)
			case "HorizontalPodAutoscaler":
				if api != "autoscaling/v2" {
					t.Errorf("%s: HPA apiVersion = %q, want autoscaling/v2", f, api)
				}
			}
		}
	}
	for _, want := range []string{"Deployment", "Service", "Secret", "ConfigMap", "Job", "HorizontalPodAutoscaler"} {
		if kinds[want] == 0 {
			t.Errorf("deploy/k8s has no %s", want)
		}
	}
}

func checkDeployment(t *testing.T, file string, doc map[string]any) {
	t.Helper()
	y, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Spec struct {
			Replicas int `yaml:"replicas"`
			Template struct {
				Spec struct {
					SecurityContext struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
					} `yaml:"securityContext"`
					Containers []struct {
						Name           string `yaml:"name"`
						ReadinessProbe struct {
							HTTPGet struct {
								Path string `yaml:"path"`
							} `yaml:"httpGet"`
						} `yaml:"readinessProbe"`
						LivenessProbe struct {
							HTTPGet struct {
								Path string `yaml:"path"`
							} `yaml:"httpGet"`
						} `yaml:"livenessProbe"`
						Resources struct {
							Requests map[string]string `yaml:"requests"`
							Limits   map[string]string `yaml:"limits"`
						} `yaml:"resources"`
						EnvFrom []map[string]any `yaml:"envFrom"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(y, &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if d.Spec.Replicas < 2 {
		t.Errorf("%s: replicas = %d, want at least 2", file, d.Spec.Replicas)
	}
	if !d.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: pod securityContext.runAsNonRoot is not true", file)
	}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		t.Fatalf("%s: no containers", file)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("%s: readinessProbe path = %q, want /readyz", file, c.ReadinessProbe.HTTPGet.Path)
	}
	if c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("%s: livenessProbe path = %q, want /healthz", file, c.LivenessProbe.HTTPGet.Path)
	}
	for _, r := range []string{"cpu", "memory"} {
		if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
			t.Errorf("%s: container %s lacks a %s request or limit", file, c.Name, r)
		}
	}
	var secret, configMap bool
	for _, e := range c.EnvFrom {
		_, s := e["secretRef"]
		_, m := e["configMapRef"]
		secret, configMap = secret || s, configMap || m
	}
	if !secret || !configMap {
		t.Errorf("%s: envFrom must reference a Secret and a ConfigMap", file)
	}
}

func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string         `yaml:"image"`
			Build       map[string]any `yaml:"build"`
			EnvFile     any            `yaml:"env_file"`
			Healthcheck map[string]any `yaml:"healthcheck"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"minyi", "mysql", "migrate"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("docker-compose.yml has no service %q", name)
		}
	}

	db := c.Services["mysql"]
	if !strings.HasPrefix(db.Image, "mysql:8.0") {
		t.Errorf("mysql image = %q, want mysql:8.0", db.Image)
	}
	if len(db.Healthcheck) == 0 {
		t.Error("the mysql service has no healthcheck")
	}
	if !hasVolume(db.Volumes, "mysql/my.cnf") {
		t.Error("the mysql service does not mount deploy/mysql/my.cnf")
	}

	app := c.Services["minyi"]
	if ctx, _ := app.Build["context"].(string); ctx != ".." {
		t.Errorf("minyi build context = %q, want ..", ctx)
	}
	if df, _ := app.Build["dockerfile"].(string); df != "" && df != "Dockerfile" {
		t.Errorf("minyi dockerfile = %q, want Dockerfile", df)
	}
	if app.DependsOn["mysql"].Condition != "service_healthy" {
		t.Error("minyi must depend on mysql with condition: service_healthy")
	}
	if !hasVolume(app.Volumes, ":/data") {
		t.Error("minyi has no volume at /data")
	}
	for _, name := range []string{"minyi", "mysql"} {
		if c.Services[name].EnvFile == nil {
			t.Errorf("service %s has no env_file", name)
		}
	}
	for _, f := range []string{"mysql/my.cnf", ".env.example"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("deploy/%s: %v", f, err)
		}
	}
}

func hasVolume(volumes []string, part string) bool {
	for _, v := range volumes {
		if strings.Contains(v, part) {
			return true
		}
	}
	return false
}

func TestEnvExampleDocumentsEveryVariable(t *testing.T) {
	data, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, v := range []string{
		"MINYI_ADDR", "MINYI_DATABASE_URL", "MINYI_JWT_SECRET", "MINYI_ADMIN_USERNAME",
		"MINYI_ADMIN_PASSWORD", "MINYI_PUBLIC_BASE_URL", "MINYI_LOG_FORMAT", "MINYI_DATA_DIR",
		"MINYI_WECHAT_APPID", "MINYI_WECHAT_SECRET", "MINYI_WECHAT_API_BASE", "MINYI_DEV_LOGIN",
		"MINYI_ADMIN_ADDR", "MINYI_DATA_KEY", "MINYI_DATA_KEY_PREVIOUS", "MINYI_TRUSTED_PROXIES", "MINYI_METRICS_TOKEN", "MYSQL_ROOT_PASSWORD", "MYSQL_DATABASE", "MYSQL_USER", "MYSQL_PASSWORD",
	} {
		re := regexp.MustCompile(`(?m)^(# )?` + v + `=`)
		if !re.MatchString(text) {
			t.Errorf(".env.example does not set or show %s", v)
		}
	}
	// The compose file runs MySQL, which needs these set, not only shown.
	for _, v := range []string{"MINYI_DATABASE_URL", "MINYI_JWT_SECRET", "MINYI_DATA_KEY"} {
		if !regexp.MustCompile(`(?m)^` + v + `=\S`).MatchString(text) {
			t.Errorf(".env.example must set %s (required with MySQL), not comment it out", v)
		}
	}
	// Every assignment belongs to a block (lines between blank lines) that
	// starts with a comment explaining it.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		start := i
		for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
			start--
		}
		if !strings.HasPrefix(lines[start], "#") {
			t.Errorf(".env.example line %d (%s) has no comment above it", i+1, l)
		}
	}
}

// TestImageBuildsLikeCI keeps the Dockerfile's build command identical to the
// one .ci/run builds and tests, so the image cannot drift from CI.
func TestImageBuildsLikeCI(t *testing.T) {
	dockerfile, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join("..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"Dockerfile": dockerfile, ".ci/run": ci} {
		if !bytes.Contains(data, []byte(buildLine)) {
			t.Errorf("%s does not contain the build line %q", name, buildLine)
		}
	}
	if !regexp.MustCompile(`(?m)^RUN ` + regexp.QuoteMeta(buildLine) + ` /out/minyi \.$`).Match(dockerfile) {
		t.Errorf("Dockerfile has no line `RUN %s /out/minyi .`", buildLine)
	}

	df := string(dockerfile)
	for _, re := range []string{
		`(?m)^HEALTHCHECK\b`,
		`(?m)^EXPOSE\s+8080\b`,
		`(?m)^VOLUME\s+(/data|\["/data"\])\s*$`,
		`(?m)^ENTRYPOINT\s+\["/minyi"\]`,
	} {
		if !regexp.MustCompile(re).MatchString(df) {
			t.Errorf("Dockerfile lacks %s", re)
		}
	}
	if !nonRoot(df) {
		t.Error("Dockerfile runs as root: want a non-root USER or a distroless :nonroot base")
	}
}

// nonRoot reports whether the final stage of a Dockerfile runs as a non-root
// user: its last USER is neither root nor 0, or, without USER, its base image
// is a distroless :nonroot tag.
func nonRoot(dockerfile string) bool {
	stages := regexp.MustCompile(`(?mi)^FROM\s`).Split(dockerfile, -1)
	final := stages[len(stages)-1]
	users := regexp.MustCompile(`(?mi)^USER\s+(\S+)`).FindAllStringSubmatch(final, -1)
	if len(users) > 0 {
		u := strings.SplitN(users[len(users)-1][1], ":", 2)[0]
		return u != "root" && u != "0"
	}
	first := strings.SplitN(strings.TrimSpace(final), "\n", 2)[0]
	return strings.Contains(first, "distroless") && strings.Contains(first, ":nonroot")
}

// TestPrometheusScrapesWithTheToken keeps every scrape of /metrics sending
// the bearer token: /metrics answers 404 without it (MINYI_METRICS_TOKEN).
func TestPrometheusScrapesWithTheToken(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			Authorization struct {
				Type            string `yaml:"type"`
				CredentialsFile string `yaml:"credentials_file"`
			} `yaml:"authorization"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.ScrapeConfigs) == 0 {
		t.Fatal("prometheus.yml has no scrape job")
	}
	const tokenPath = "/etc/prometheus/minyi-metrics-token"
	for _, job := range cfg.ScrapeConfigs {
		if job.MetricsPath != "/metrics" || job.Authorization.Type != "Bearer" || job.Authorization.CredentialsFile != tokenPath {
			t.Errorf("job %s: path %q, authorization %+v; want /metrics with the Bearer token from %s",
				job.JobName, job.MetricsPath, job.Authorization, tokenPath)
		}
	}
	compose, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(compose, []byte("./prometheus/metrics-token:"+tokenPath+":ro")) {
		t.Error("the compose prometheus service does not mount the token file")
	}
	deployment, err := os.ReadFile(filepath.Join("k8s", "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(deployment, []byte("prometheus.io/scrape:")) {
		t.Error("deployment.yaml asks for annotation scraping, which cannot send the token")
	}
	secret, err := os.ReadFile(filepath.Join("k8s", "secret.example.yaml"))
	if err != nil || !bytes.Contains(secret, []byte("MINYI_METRICS_TOKEN:")) {
		t.Errorf("secret.example.yaml does not show MINYI_METRICS_TOKEN (%v)", err)
	}
}
