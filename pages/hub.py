from visio_core.domain.model import Role
from visio_core.ui import guard, hub

ctx, identity = guard.require(Role.OPERATOR)
hub.render(ctx, identity)
