from portal.graphql.loaders import ByForeignKey, ById

from ..models import Membership, Team

team_by_id = ById(Team)
memberships_of_team = ByForeignKey(Membership, "team", select=("user",))
