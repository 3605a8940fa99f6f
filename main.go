// Command minyi runs the Minyi service (民意): resident consultations for
// the renovation of old residential estates.
//
//	minyi serve [--demo]     run the HTTP service
//	minyi migrate            bring the database schema up to date
//	minyi user add -username NAME -role admin|worker|designer|supervisor [-display-name N]  (password from MINYI_NEW_PASSWORD or stdin)
//	minyi audit verify [--estate CODE]  recompute the audit ledger's hash chains
//	minyi healthcheck        exit 0 when the local service answers /healthz
package main

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"minyi/api"
	"minyi/model"
	"minyi/model/fieldcrypt"
	"minyi/service"
	"minyi/wechat"
)

//go:embed openapi.yaml
var openapiSpec []byte

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "migrate":
		err = migrate()
	case "user":
		err = userCommand(os.Args[2:])
	case "audit":
		err = auditCommand(os.Args[2:])
	case "healthcheck":
		err = healthcheck()
	case "rotate-data-key":
		err = rotateDataKey()
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "minyi:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: minyi <command>
  serve [--demo]   run the HTTP service (--demo also loads a demo estate, code "demo")
  migrate          bring the database schema up to date
  user add -username NAME -role admin|worker|designer|supervisor [-display-name NAME]
                   create a staff account (password from MINYI_NEW_PASSWORD or standard input)
  audit verify [--estate CODE]
                   recompute the audit ledger's hash chains; exit 1 naming the first broken event of each chain
  healthcheck      exit 0 when the service on MINYI_ADDR answers /healthz
  rotate-data-key  re-encrypt stored phone numbers with MINYI_DATA_KEY (old key in MINYI_DATA_KEY_PREVIOUS)
Configuration comes from MINYI_* environment variables; see README.md.`)
}

// openAll reads the configuration and opens and migrates the database.
func openAll() (*config, *model.DB, *service.Service, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, nil, err
	}
	keys, err := fieldcrypt.NewKeys(cfg.DataKey, cfg.PreviousDataKeys...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("MINYI_DATA_KEY: %w", err)
	}
	db, err := model.Open(cfg.DatabaseURL, model.WithKeys(keys))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("MINYI_DATABASE_URL: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	svc := service.New(db, service.Config{JWTSecret: cfg.JWTSecret, ReceiptKey: cfg.ReceiptKey,
		UploadDailyFiles: cfg.UploadDailyFiles, UploadDailyBytes: cfg.UploadDailyBytes, ObjectionDueDays: cfg.ObjectionDueDays}, nil)
	if err := svc.EnsureAuditChains(ctx); err != nil {
		db.Close()
		return nil, nil, nil, fmt.Errorf("audit ledger: %w", err)
	}
	return cfg, db, svc, nil
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := flags.Bool("demo", false, "load a demo estate (code \"demo\") with households, a round and sign-offs")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg, db, svc, err := openAll()
	if err != nil {
		return err
	}
	defer db.Close()
	logger := newLogger(cfg.LogFormat)
	slog.SetDefault(logger)
	ctx := context.Background()
	go db.WatchHealth(ctx, 500*time.Millisecond, time.Second, logger) // a silent MySQL: 503 within 1.5 s
	if renamed, clashes, err := svc.CanonicaliseUsernames(ctx); err != nil {
		return fmt.Errorf("canonicalise usernames: %w", err)
	} else if renamed > 0 || len(clashes) > 0 {
		logger.Warn("usernames rewritten in canonical form (NFKC, trimmed, lower case)", "renamed", renamed, "left_clashing", clashes)
	}
	generated, created, err := svc.EnsureAdmin(ctx, cfg.AdminUsername, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	if created && generated != "" {
		logger.Warn("created the first admin account with a random password; it is shown only this once",
			"username", "admin", "password", generated)
	} else if created {
		logger.Info("created the first admin account from MINYI_ADMIN_USERNAME", "username", cfg.AdminUsername)
	}
	if *demo {
		if err := svc.LoadDemo(ctx); err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		logger.Info("demo estate loaded", "notice_board", cfg.PublicBaseURL+"/notice/demo")
		if err := svc.LoadDemoStaff(ctx); err != nil {
			return fmt.Errorf("load demo staff: %w", err)
		}
		for _, l := range service.DemoLogins {
			logger.Info("demo login for the staff console at "+cfg.PublicBaseURL+"/console/", "username", l.Username, "password", l.Password, "role", l.Role)
		}
	}
	weChat, err := wechat.New(wechat.Config{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, BaseURL: cfg.WeChatAPIBase})
	if err != nil {
		return fmt.Errorf("MINYI_WECHAT_API_BASE: %w", err)
	}
	startNotifications(ctx, svc, weChat, cfg.Notifications, logger)
	if weChat.Configured() {
		svc.SetModerator(service.WeChatModerator{Client: weChat})
	} else {
		logger.Info("WeChat is not configured: the WeChat login answers 503 and residents' texts are published unchecked")
	}
	svc.SetWeChat(weChat)
	if cfg.DevLogin {
		svc.AcceptDevLogins(logger)
		logger.Warn("!!! MINYI_DEV_LOGIN=1: anyone can log in as any resident with the code dev:<openid>; never use this in production !!!")
	}
	router, _ := api.New(svc, api.Config{OpenAPI: openapiSpec, PublicBaseURL: cfg.PublicBaseURL, DataDir: cfg.DataDir, Logger: logger,
		TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken})
	server := &http.Server{Addr: cfg.Addr, Handler: router, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	admin, err := startAdminServer(cfg.AdminAddr, logger)
	if err != nil {
		return err
	}
	if admin != nil {
		defer admin.Close()
	}
	stop, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	janitor, stopJanitor := context.WithCancel(ctx)
	janitorDone := make(chan struct{})
	go func() {
		defer close(janitorDone)
		runJanitor(janitor, svc, filepath.Join(cfg.DataDir, "uploads"), cfg.JanitorInterval, logger)
	}()
	defer func() { stopJanitor(); <-janitorDone }()
	// Work that happens on its own (rounds closing at their deadline, results becoming final).
	go svc.RunScheduler(stop, service.SchedulerInterval, svc.ScheduledJobs())
	errs := make(chan error, 1)
	go func() { errs <- server.ListenAndServe() }()
	logger.Info("minyi listening", "addr", cfg.Addr, "database", strings.SplitN(cfg.DatabaseURL, ":", 2)[0])
	select {
	case err := <-errs:
		return err
	case <-stop.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelShutdown()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func migrate() error {
	_, db, _, err := openAll()
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Println("schema is up to date")
	return nil
}

func userCommand(args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: minyi user add -username NAME -role admin|worker|designer|supervisor [-display-name NAME]")
	}
	flags := flag.NewFlagSet("user add", flag.ContinueOnError)
	username := flags.String("username", "", "login name")
	role := flags.String("role", "worker", "admin, worker, designer or supervisor")
	displayName := flags.String("display-name", "", "name shown to others")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	password := os.Getenv("MINYI_NEW_PASSWORD")
	if password == "" {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given (set MINYI_NEW_PASSWORD or type it on standard input)")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	_, db, svc, err := openAll()
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.CreateUser(context.Background(), service.SystemActor(), service.NewUser{
		Username: *username, Password: password, DisplayName: *displayName, Role: *role})
	if err != nil {
		var se *service.Error
		if errors.As(err, &se) && len(se.Fields) > 0 {
			return fmt.Errorf("%s: %v", se.Code, se.Fields)
		}
		return err
	}
	fmt.Printf("created %s %s (id %s)\n", u.Role, u.Username, u.ID)
	return nil
}

func healthcheck() error {
	addr := env("MINYI_ADDR", ":8080")
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
