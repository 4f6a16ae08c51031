from portal.graphql.loaders import ByForeignKey, ById

from ..models import Membership, Team

team_by_id = ById(Team)
# Members are shown by name: only the user columns a query selects are read, never a
# password hash (UserType has no such field).
memberships_of_team = ByForeignKey(Membership, "team", select=("user",))
