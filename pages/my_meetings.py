from visio_core.domain.model import Role
from visio_core.ui import guard, my_meetings

ctx, identity = guard.require(Role.CLIENT, Role.ANALYST)
my_meetings.render(ctx, identity)
