from visio_core.ui import guard, recordings_view

ctx, identity = guard.require()
recordings_view.render(ctx, identity)
