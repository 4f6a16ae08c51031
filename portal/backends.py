"""Django's permission questions answered by ``portal.permissions``.

The admin (and anything else that calls ``user.has_perm``) asks Django's model permissions;
pages, REST and GraphQL ask ``portal.permissions``. With this backend in place of Django's
``ModelBackend`` both get one answer for Keel's own records: staff may change a service in
the admin exactly when they may through REST, and a model permission granted in the admin
gives nobody a right the rules do not. Accounts (``auth``, tokens, sessions) are not Keel's
records and keep Django's model permissions.
"""

from django.contrib.auth.backends import ModelBackend

from . import permissions

KEEL_APPS = frozenset({"portal", "teams", "catalog", "scaffolding"})
_ON_AN_OBJECT = {
    "view": permissions.VIEW,
    "change": permissions.CHANGE,
    "delete": permissions.DELETE,
}


class PermissionRulesBackend(ModelBackend):
    """Signs people in as ``ModelBackend`` does; for Keel's apps, ``has_perm`` is the rules'.

    Without an object, a permission means "on every object of the model": viewing, which
    every signed-in user may, or anything else, which only those who administer Keel may.
    With an ownable object, it is ``permissions.can`` on that object.
    """

    def has_perm(self, user_obj, perm, obj=None):
        app_label, _, codename = perm.partition(".")
        if app_label not in KEEL_APPS:
            return super().has_perm(user_obj, perm, obj)
        verb = codename.partition("_")[0]
        if obj is not None and verb in _ON_AN_OBJECT and hasattr(type(obj), "owner_team_path"):
            return permissions.can(user_obj, _ON_AN_OBJECT[verb], obj)
        if verb == "view":
            return permissions.can_view_everything(user_obj)
        return permissions.administers(user_obj)

    def has_module_perms(self, user_obj, app_label):
        if app_label not in KEEL_APPS:
            return super().has_module_perms(user_obj, app_label)
        return permissions.can_view_everything(user_obj)
