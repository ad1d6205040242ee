"""The watch domain's enums, registered with Strawberry under their GraphQL names (in place: the
domain enums are the GraphQL enums). Imported by every module that uses them in a type."""

import strawberry

from argus.watch import model

strawberry.enum(model.GroupStatus, name="WatchGroupStatus")
strawberry.enum(model.MemberStatus, name="MemberStatus")
strawberry.enum(model.Channel, name="ContactChannelKind")
strawberry.enum(model.ActivityKind, name="ActivityKind")
strawberry.enum(model.TaskKind, name="CaptainTaskKind")
