from django.contrib.auth import views as auth_views
from django.urls import include, path

from wenxiao.api.main import api
from wenxiao.core import views as core_views
from wenxiao.core.security import LoginForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", core_views.PasswordChange.as_view(), name="password_change"),
    path("api/v1/", api.urls),
    path("projects/", include("wenxiao.projects.urls")),
    path("targets/", include("wenxiao.targets.urls")),
    path("library/", include("wenxiao.library.urls")),
    path("appraisal/", include("wenxiao.appraisal.urls")),
    path("monitoring/", include("wenxiao.monitoring.urls")),
    path("evaluation/", include("wenxiao.evaluation.urls")),
    path("partners/", include("wenxiao.partners.urls")),
    path("oversight/", include("wenxiao.oversight.urls")),
    path("results/", include("wenxiao.results.urls")),
    path("public/", include("wenxiao.disclosure.urls")),
    path("cockpit/", include("wenxiao.cockpit.urls")),
    path("exchange/", include("wenxiao.exchange.urls")),
    path("orgs/", include("wenxiao.orgs.urls")),
    path("catalog/", include("wenxiao.catalog.urls")),
    path("", include("wenxiao.core.urls")),
]
