from visio_core.ui import guard, transcripts_view

ctx, identity = guard.require()
transcripts_view.render(ctx, identity)
