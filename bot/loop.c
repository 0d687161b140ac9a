/*
 * loop.c — the event loop: poll() over a small table of fd watches plus
 * a list of timers, in the manner of Redis's ae. The loop owns no fds; it
 * only watches them. Deleting a watch or timer marks its slot free at once
 * and a later add may reuse the slot; the dispatch code finds watches by
 * fd and timers by id again after every callback, never by a pointer kept
 * across one, so a callback may delete anything, including itself, and
 * add new watches and timers.
 *
 * A watch also gets a serial number when it is created (not when an
 * existing watch is replaced): if a callback deletes a watch, closes its
 * fd and a new watch lands on the same fd number within one iteration,
 * the serial tells that poll()'s results belong to the old one.
 *
 * Timer ids only grow and are never reused. A pass over the timers runs
 * only those whose id was handed out before the pass began (ae's maxId):
 * a slot index cannot tell, since a timer added from a callback may land
 * in a freed slot the pass has not reached yet.
 *
 * Timers are kept in an unsorted array: the bot has tens of timers, and a
 * linear scan per iteration is cheaper than keeping a heap correct under
 * deletion from callbacks.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "util.h"

struct loop_fd {
	int		 fd;		/* -1: free slot */
	int		 events;
	loop_fd_cb	*cb;
	void		*arg;
	void		*owner;
	uint64_t	 serial;
};

struct loop_timer {
	long long	 id;		/* 0: free slot */
	uint64_t	 when;
	loop_timer_cb	*cb;
	void		*arg;
	void		*owner;
};

struct loop {
	struct loop_fd		*fds;
	size_t			 nfds;
	struct loop_timer	*timers;
	size_t			 ntimers;
	long long		 next_id;
	uint64_t		 now;
	int			 stop;
	struct pollfd		*pfd;
	uint64_t		*pserial;	/* serial of each pfd entry */
	size_t			 pfdcap;
	uint64_t		 next_serial;
	loop_hook_cb		*before_sleep;
	void			*before_sleep_arg;
};

/* Create an empty loop. */
struct loop *
loop_new(void)
{
	struct loop	*l = xcalloc(1, sizeof *l);

	l->next_id = 1;
	l->now = util_mono_ms();
	return l;
}

/* Free the loop; the fds it watched are not closed. */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->fds);
	free(l->timers);
	free(l->pfd);
	free(l->pserial);
	free(l);
}

/* Find the watch slot of fd, or NULL. */
static struct loop_fd *
loop_find_fd(struct loop *l, int fd)
{
	size_t	i;

	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	}
	return NULL;
}

/* Watch fd for events, replacing an existing watch. */
int
loop_fd_set(struct loop *l, void *owner, int fd, int events, loop_fd_cb *cb,
    void *arg)
{
	struct loop_fd	*w;

	if (fd < 0)
		return -1;
	w = loop_find_fd(l, fd);
	if (w == NULL) {
		w = loop_find_fd(l, -1);
		if (w == NULL) {
			l->fds = xreallocarray(l->fds, l->nfds + 1,
			    sizeof *l->fds);
			w = &l->fds[l->nfds++];
		}
		w->serial = ++l->next_serial;
	}
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->owner = owner;
	return 0;
}

/* Change the events of an existing watch. */
void
loop_fd_events(struct loop *l, int fd, int events)
{
	struct loop_fd	*w = loop_find_fd(l, fd);

	if (w != NULL)
		w->events = events;
}

/* Stop watching fd; safe inside callbacks. */
void
loop_fd_del(struct loop *l, int fd)
{
	struct loop_fd	*w;

	if (fd < 0)
		return;
	w = loop_find_fd(l, fd);
	if (w != NULL) {
		w->fd = -1;
		w->cb = NULL;
	}
}

/* Add a timer; returns its id. */
long long
loop_timer_add(struct loop *l, void *owner, long long delay_ms,
    loop_timer_cb *cb, void *arg)
{
	struct loop_timer	*t = NULL;
	size_t			 i;

	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == 0) {
			t = &l->timers[i];
			break;
		}
	}
	if (t == NULL) {
		l->timers = xreallocarray(l->timers, l->ntimers + 1,
		    sizeof *l->timers);
		t = &l->timers[l->ntimers++];
	}
	if (delay_ms < 0)
		delay_ms = 0;
	t->id = l->next_id++;
	t->when = util_mono_ms() + (uint64_t)delay_ms;
	t->cb = cb;
	t->arg = arg;
	t->owner = owner;
	return t->id;
}

/* Find a live timer by id. */
static struct loop_timer *
loop_find_timer(struct loop *l, long long id)
{
	size_t	i;

	if (id <= 0)
		return NULL;
	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id)
			return &l->timers[i];
	}
	return NULL;
}

/* Delete a timer; safe inside callbacks, unknown ids are ignored. */
void
loop_timer_del(struct loop *l, long long id)
{
	struct loop_timer	*t = loop_find_timer(l, id);

	if (t != NULL)
		t->id = 0;
}

/* Milliseconds until a timer fires, or -1. */
long long
loop_timer_remaining(struct loop *l, long long id)
{
	struct loop_timer	*t = loop_find_timer(l, id);
	uint64_t		 now = util_mono_ms();

	if (t == NULL)
		return -1;
	return t->when > now ? (long long)(t->when - now) : 0;
}

/* Delete every watch and timer of owner; a NULL owner is ignored. */
void
loop_release(struct loop *l, void *owner)
{
	size_t	i;

	if (owner == NULL)
		return;
	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd >= 0 && l->fds[i].owner == owner) {
			l->fds[i].fd = -1;
			l->fds[i].cb = NULL;
		}
	}
	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id != 0 && l->timers[i].owner == owner)
			l->timers[i].id = 0;
	}
}

/* Set (or with fn NULL, remove) the one before-sleep hook. */
void
loop_before_sleep(struct loop *l, loop_hook_cb *fn, void *arg)
{
	l->before_sleep = fn;
	l->before_sleep_arg = fn != NULL ? arg : NULL;
}

/* The monotonic time of this iteration. */
uint64_t
loop_now(struct loop *l)
{
	return l->now;
}

/* Run every timer that is due. */
static void
loop_run_timers(struct loop *l)
{
	size_t		 i;
	long long	 id, next, max_id = l->next_id - 1;

	/* Only timers that existed before this pass run in it. */
	for (i = 0; i < l->ntimers; i++) {
		struct loop_timer *t = &l->timers[i];

		if (t->id == 0 || t->id > max_id || t->when > l->now)
			continue;
		id = t->id;
		next = t->cb(l, id, t->arg);
		/* The array may have moved; find the timer again. */
		t = loop_find_timer(l, id);
		if (t == NULL)
			continue;
		if (next == LOOP_NOMORE)
			t->id = 0;
		else
			t->when = util_mono_ms() +
			    (uint64_t)(next < 0 ? 0 : next);
	}
}

/* Milliseconds until the earliest timer, capped by max (-1: none). */
static int
loop_wait_ms(struct loop *l, int max)
{
	size_t		i;
	long long	best = max;

	for (i = 0; i < l->ntimers; i++) {
		long long d;

		if (l->timers[i].id == 0)
			continue;
		d = l->timers[i].when > l->now ?
		    (long long)(l->timers[i].when - l->now) : 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (best > 60000)
		best = 60000;
	return (int)best;
}

/* One iteration: poll, run ready fd callbacks, run due timers. */
void
loop_once(struct loop *l, int max_wait_ms)
{
	size_t	i, n = 0;
	int	rv, timeout;

	if (l->before_sleep != NULL)
		l->before_sleep(l->before_sleep_arg);
	l->now = util_mono_ms();
	if (l->pfdcap < l->nfds) {
		l->pfd = xreallocarray(l->pfd, l->nfds, sizeof *l->pfd);
		l->pserial = xreallocarray(l->pserial, l->nfds,
		    sizeof *l->pserial);
		l->pfdcap = l->nfds;
	}
	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd < 0)
			continue;
		l->pfd[n].fd = l->fds[i].fd;
		l->pfd[n].events = 0;
		if (l->fds[i].events & LOOP_READ)
			l->pfd[n].events |= POLLIN;
		if (l->fds[i].events & LOOP_WRITE)
			l->pfd[n].events |= POLLOUT;
		l->pfd[n].revents = 0;
		l->pserial[n] = l->fds[i].serial;
		n++;
	}
	timeout = loop_wait_ms(l, max_wait_ms);
	rv = poll(l->pfd, n, timeout);
	if (rv < 0 && errno != EINTR)
		log_error("loop", "poll: %s", strerror(errno));
	l->now = util_mono_ms();
	for (i = 0; rv > 0 && i < n; i++) {
		struct loop_fd	*w;
		int		 ev = 0;

		if (l->pfd[i].revents == 0)
			continue;
		/*
		 * The watch may have been deleted or replaced meanwhile, or
		 * deleted and a new one made on a reused fd number.
		 */
		w = loop_find_fd(l, l->pfd[i].fd);
		if (w == NULL || w->cb == NULL || w->serial != l->pserial[i])
			continue;
		if (l->pfd[i].revents & POLLIN)
			ev |= LOOP_READ;
		if (l->pfd[i].revents & POLLOUT)
			ev |= LOOP_WRITE;
		if (l->pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			ev |= LOOP_ERROR | (w->events & LOOP_READ);
		w->cb(l, w->fd, ev, w->arg);
		/* A closed fd left watched would make poll spin. */
		if (l->pfd[i].revents & POLLNVAL) {
			log_error("loop", "fd %d was closed while watched",
			    l->pfd[i].fd);
			loop_fd_del(l, l->pfd[i].fd);
		}
	}
	l->now = util_mono_ms();
	loop_run_timers(l);
}

/* Iterate until loop_stop() is called. */
void
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		loop_once(l, -1);
}

/* Make loop_run return after the current iteration. */
void
loop_stop(struct loop *l)
{
	l->stop = 1;
}
