package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"minyi/model"
	"minyi/store"
	"minyi/wechat"
)

// MessageSender delivers one subscribe message (the WeChat client).
type MessageSender interface {
	SendSubscribeMessage(ctx context.Context, m wechat.SubscribeMessage) error
}

// NotifierConfig says how subscribe messages are sent.
type NotifierConfig struct {
	Sender MessageSender
	// Templates maps a kind to its WeChat template id; a kind without one is not sent.
	Templates map[string]string
	// ReminderDays: the deadline reminder goes this many days before closes_at (3 when 0).
	ReminderDays int
	// State is the mini-program version messages open (wechat.StateFormal when "").
	State string
	// MaxAttempts bounds the tries of a message WeChat answers busy (6 when 0).
	MaxAttempts int
	// Backoff is the wait after the first busy answer, doubled after each (30 s when 0).
	Backoff time.Duration
	// ClaimTimeout: a message claimed this long ago whose sender vanished
	// is marked failed, never sent again (10 minutes when 0).
	ClaimTimeout time.Duration
	Logger       *slog.Logger
}

// SetNotifier turns subscribe messages on: from now on the writes that
// cause a message enqueue it, and SendDueNotifications sends them.
func (s *Service) SetNotifier(cfg NotifierConfig) {
	if cfg.ReminderDays <= 0 {
		cfg.ReminderDays = 3
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s.notifications.mu.Lock()
	defer s.notifications.mu.Unlock()
	s.notifications.cfg = &cfg
}

func (s *Service) notifyLog() *slog.Logger {
	if cfg := s.notifier(); cfg != nil {
		return cfg.Logger
	}
	return slog.Default()
}

// RunNotifications sends due messages and enqueues deadline reminders every
// interval until ctx ends. Errors are logged; the loop goes on.
func (s *Service) RunNotifications(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if _, err := s.EnqueueDeadlineReminders(ctx); err != nil && ctx.Err() == nil {
			s.notifyLog().Warn("deadline reminders", "error", err)
		}
		if _, err := s.SendDueNotifications(ctx); err != nil && ctx.Err() == nil {
			s.notifyLog().Warn("notification sender", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// EnqueueDeadlineReminders enqueues, once per round, the deadline reminder
// for the designated signers of households without a decision, in the open
// rounds whose closes_at is within ReminderDays. It returns the rounds handled.
func (s *Service) EnqueueDeadlineReminders(ctx context.Context) (int, error) {
	cfg := s.notifier()
	if cfg == nil || cfg.Templates[NotifyDeadlineReminder] == "" {
		return 0, nil
	}
	now := s.Now()
	due, err := s.read(ctx).RoundsDueForReminder(RoundOpen, now, now.Add(time.Duration(cfg.ReminderDays)*24*time.Hour))
	if err != nil {
		return 0, AsError(err)
	}
	handled := 0
	for i := range due {
		round := &due[i]
		err := s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			// The marker's primary key makes one instance (and one pass) win.
			marked, err := tx.MarkRoundReminded(round.ID, now)
			if err != nil || !marked {
				return err
			}
			ids, err := residentsOfRound(tx, round.ID, NotifyDeadlineReminder, true, true)
			if err != nil {
				return err
			}
			s.enqueue(tx, outboxMessage{kind: NotifyDeadlineReminder, estateID: round.EstateID, subjectKind: "round", subjectID: round.ID,
				event: "reminder", page: roundPage(round.ID), subscribed: true,
				data: map[string]string{"thing1": templateText(round.Title), "time2": templateTime(round.ClosesAt), "thing3": "您家尚未表态，请在截止前表态"}}, ids)
			handled++
			return nil
		})
		if err != nil {
			return handled, err
		}
	}
	return handled, nil
}

// sendBatch bounds the messages one pass of the sender takes.
const sendBatch = 50

// SendDueNotifications sends the pending messages that are due, each at
// most once: it claims a message with a conditional update before calling
// WeChat, so neither a second instance nor a restart after a crash sends it
// again. It returns the number sent.
func (s *Service) SendDueNotifications(ctx context.Context) (int, error) {
	cfg := s.notifier()
	if cfg == nil || cfg.Sender == nil {
		return 0, nil
	}
	if err := s.failStaleClaims(ctx, cfg); err != nil {
		return 0, err
	}
	due, err := s.read(ctx).DueNotifications(NotificationPending, s.Now(), sendBatch)
	if err != nil {
		return 0, AsError(err)
	}
	sent := 0
	for i := range due {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		ok, err := s.sendOne(ctx, cfg, &due[i])
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// failStaleClaims marks failed the messages claimed long ago by a sender
// that never reported back (it crashed, perhaps after WeChat delivered).
func (s *Service) failStaleClaims(ctx context.Context, cfg *NotifierConfig) error {
	return s.read(ctx).SettleStaleNotificationClaims(NotificationSending, s.Now().Add(-cfg.ClaimTimeout),
		store.NotificationOutcome{Status: NotificationFailed, LastError: "interrupted: the sender stopped after claiming; not sent again"})
}

// sendOne claims, sends and settles one message; true when WeChat took it.
func (s *Service) sendOne(ctx context.Context, cfg *NotifierConfig, n *model.Notification) (bool, error) {
	var openID string
	proceed := false
	err := s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
		proceed = false
		now := s.Now()
		claimed, err := tx.ClaimNotification(n.ID, NotificationPending, NotificationSending, now)
		if err != nil || !claimed {
			return err // another sender has it
		}
		used, err := tx.UseSubscription(n.ResidentID, n.Kind, now)
		if err != nil {
			return err
		}
		resident, found, err := tx.NotificationRecipient(n.ResidentID)
		if err != nil {
			return err
		}
		reason := ""
		switch {
		case !used:
			reason = "no_acceptance: the resident has no acceptance of this kind left"
		case !found || resident.Disabled:
			reason = "resident_unavailable"
		case cfg.Templates[n.Kind] == "":
			reason = "no_template: MINYI_WECHAT_TEMPLATE_" + n.Kind + " is not set"
		}
		if reason != "" {
			return tx.SettleNotification(n.ID, store.NotificationOutcome{Status: NotificationFailed, LastError: reason})
		}
		openID, proceed = resident.OpenID, true
		return nil
	})
	if err != nil || !proceed {
		return false, err
	}
	var stored storedMessage
	if err := json.Unmarshal([]byte(n.Data), &stored); err != nil {
		return false, s.settle(ctx, n, NotificationFailed, "bad_data: "+err.Error(), true, 0)
	}
	sendErr := cfg.Sender.SendSubscribeMessage(ctx, wechat.SubscribeMessage{ToUser: openID, TemplateID: cfg.Templates[n.Kind],
		Page: stored.Page, Data: stored.Data, State: cfg.State})
	if sendErr == nil {
		sentAt := s.Now()
		_, err := s.read(context.WithoutCancel(ctx)).SettleClaimedNotification(n.ID, NotificationSending,
			store.NotificationOutcome{Status: NotificationSent, SentAt: &sentAt})
		return true, err
	}
	return false, s.settleFailure(ctx, cfg, n, sendErr)
}

// settleFailure decides what a failed send means: WeChat busy or over its
// quota, or unreachable → tried again later with back-off (the acceptance
// given back); 43101 → the user refused, so nothing more of this kind goes
// to them until they accept again; a timeout → failed, since WeChat may have
// delivered it; any other WeChat error → failed.
func (s *Service) settleFailure(ctx context.Context, cfg *NotifierConfig, n *model.Notification, sendErr error) error {
	reason := sendErr.Error()
	if len(reason) > 200 {
		reason = reason[:200]
	}
	var apiErr *wechat.APIError
	retry := errors.Is(sendErr, wechat.ErrUnreachable) || errors.Is(sendErr, wechat.ErrNotConfigured)
	if errors.As(sendErr, &apiErr) {
		switch apiErr.Code {
		case wechat.CodeBusy, wechat.CodeDailyQuota, wechat.CodeRateLimit:
			retry = true
		case wechat.CodeUserRefused:
			if err := s.read(context.WithoutCancel(ctx)).DropSubscription(n.ResidentID, n.Kind); err != nil {
				return err
			}
			return s.settle(ctx, n, NotificationFailed, reason, false, 0)
		}
	}
	attempts := n.Attempts + 1
	if retry && attempts < cfg.MaxAttempts {
		wait := cfg.Backoff << (attempts - 1)
		return s.settle(ctx, n, NotificationPending, reason, true, wait)
	}
	timedOut := errors.Is(sendErr, wechat.ErrTimeout) || errors.Is(sendErr, context.DeadlineExceeded)
	return s.settle(ctx, n, NotificationFailed, reason, !timedOut, 0)
}

// settle records the outcome of a claimed message; refund gives the
// resident's acceptance back (the message surely did not arrive).
func (s *Service) settle(ctx context.Context, n *model.Notification, status, reason string, refund bool, wait time.Duration) error {
	return s.inTx(context.WithoutCancel(ctx), SystemActor(), func(tx *store.Tx) error {
		now := s.Now()
		outcome := store.NotificationOutcome{Status: status, LastError: reason}
		if status == NotificationPending {
			next := now.Add(wait)
			outcome.NextAttemptAt = &next
		}
		settled, err := tx.SettleClaimedNotification(n.ID, NotificationSending, outcome)
		if err != nil || !settled || !refund {
			return err
		}
		return tx.RefundSubscription(n.ResidentID, n.Kind, now)
	})
}
