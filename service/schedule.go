package service

import (
	"context"
	"log/slog"
	"time"

	"minyi/model"
	"minyi/store"
)

// SchedulerInterval is how often `minyi serve` runs the timed jobs: a change that time
// causes (a round closing at its deadline, a result becoming final) shows within it.
const SchedulerInterval = time.Second

// schedulerActor is who the timed jobs act as in the audit ledger.
var schedulerActor = Actor{Kind: ActorSystem, ID: "scheduler", Role: RoleAdmin, Name: "scheduler", Channel: ChannelAPI, RequestID: "scheduler"}

// ScheduledJob is one piece of work that happens on its own. Run does what is due at the
// service clock's now and says how many objects it changed. Every job must be safe to run
// on several instances at once: it claims each object with a conditional update.
type ScheduledJob struct {
	Name string
	Run  func(ctx context.Context) (int, error)
}

// ScheduledJobs lists the timed jobs, in the order they run on each tick.
func (s *Service) ScheduledJobs() []ScheduledJob {
	return []ScheduledJob{
		{Name: "close_rounds_at_deadline", Run: s.CloseDueRounds},
		{Name: "finalize_round_results", Run: s.FinalizeDueRounds},
	}
}

// RunScheduler runs jobs every interval until ctx ends (inside `minyi serve`). A failing
// job is logged and tried again on the next tick.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration, jobs []ScheduledJob) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		for _, job := range jobs {
			if ctx.Err() != nil {
				return
			}
			if n, err := job.Run(ctx); err != nil {
				slog.Error("scheduled job failed", "job", job.Name, "err", err)
			} else if n > 0 {
				slog.Info("scheduled job", "job", job.Name, "changed", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// CloseDueRounds closes every open round whose deadline plus its late-sync period has
// passed, exactly once however many instances run it (closeRoundTx claims the round with
// a conditional update on its open status). It returns how many rounds this call closed.
func (s *Service) CloseDueRounds(ctx context.Context) (int, error) {
	now := s.Now()
	due, err := s.read(ctx).RoundsPastDeadline(RoundOpen, now)
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, r := range due {
		if now.Before(r.ClosesAt.Add(time.Duration(r.LateSyncHours) * time.Hour)) {
			continue
		}
		var ok bool
		err := s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			round, err := store.ByID[model.Round](tx, r.ID)
			if err != nil {
				return err
			}
			ok, err = s.closeRoundTx(tx, schedulerActor, &round, "")
			return err
		})
		if err != nil {
			return closed, err
		}
		if ok {
			closed++
		}
	}
	return closed, nil
}

// FinalizeDueRounds makes final every closed round whose notice period has ended with
// every result objection answered, exactly once (a conditional update on status =
// 'closed'). It returns how many rounds this call made final.
func (s *Service) FinalizeDueRounds(ctx context.Context) (int, error) {
	now := s.Now()
	due, err := s.read(ctx).RoundsPastNotice(RoundClosed, now)
	if err != nil {
		return 0, err
	}
	finalized := 0
	for _, id := range due {
		var ok bool
		err := s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			claimed, err := tx.ClaimRoundFinal(id, RoundClosed, RoundFinal, now)
			ok = err == nil && claimed
			if !ok {
				return err
			}
			estateID, err := tx.EstateOfRound(id)
			if err != nil {
				return err
			}
			s.audit(tx, schedulerActor, estateID, "round.final", "round", id, map[string]any{"status": RoundClosed}, map[string]any{"status": RoundFinal})
			return s.touchEstate(tx, estateID)
		})
		if err != nil {
			return finalized, err
		}
		if ok {
			finalized++
		}
	}
	return finalized, nil
}
