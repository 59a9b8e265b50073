"""The correlator: pure functions from the event table to the tables a report needs.

Every function here takes and returns ``pl.LazyFrame``; none reads files,
collects, or looks at the clock, so each one can be tested on hand-built
frames and the pipeline decides when the work happens.  The stages, in the
order the pipeline runs them:

    epochs        gateway process lifetimes; every event gets its epoch,
                  gateway_pid and uptime_s
    scope         --since / --until / --agent, after epochs
    identity      ``session``: one name per session, linking keys to ids
    failures      one row per lock_stale / lock_timeout / takeover occurrence
    runs          one row per embedded run (debug lines)
    alignment     each takeover's lock-error precursor, and the lag
    incidents     failures clustered by time gap
    resolution    what cleared each incident's sessions, and when
    frequency     failures per day, hour, agent, session type, lane, epoch, version
    triggers      other writers on a session just before its takeover
    stuck         lock errors while the owning gateway process was alive

Every frame a stage returns ends in a total sort (determinism).
"""
