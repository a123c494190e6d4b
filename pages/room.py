from visio_core.domain.model import Role
from visio_core.ui import guard, room

ctx, identity = guard.require(Role.OPERATOR, Role.CLIENT)
room.render(ctx, identity)
